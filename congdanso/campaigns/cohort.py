"""Who is in a campaign's cohort: an age at the campaign end date within its bounds."""

import datetime as dt

from congdanso.campaigns.models import Campaign


def add_years(day: dt.date, years: int) -> dt.date:
    """The same day `years` later (earlier if negative); 29 February becomes the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def birth_range(end: dt.date, min_age: int, max_age: int) -> tuple[dt.date, dt.date]:
    """Birth dates whose age at `end` is between the ages, inclusive."""
    born_to = add_years(end, -min_age)
    born_from = add_years(end, -(max_age + 1)) + dt.timedelta(days=1)
    return born_from, born_to


def cohort_birth_range(campaign: Campaign) -> tuple[dt.date, dt.date]:
    """Birth dates whose age at the campaign end is within its bounds, inclusive."""
    return birth_range(campaign.end_date, campaign.cohort_min_age, campaign.cohort_max_age)
