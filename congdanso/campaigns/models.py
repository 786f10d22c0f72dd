"""Campaigns, the criterion catalog and residents' achievements.

An achievement belongs to the resident, not to a campaign: a campaign counts the achievements
that fall within its rules (its criteria, its place, dates up to the day asked about), so a
2024 campaign counts what was done in 2023. Progress over time comes from the achievement
dates. A withdrawn achievement is kept, with its reason, as history and counts nowhere; at
most one achievement per resident and criterion is in force.

The indicators read `Tally` rows: exact running totals kept by the services in the same
transaction as each change (see progress/tallies.py for why and how they stay exact).
"""

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from congdanso.core.models import Created
from congdanso.people.models import Segment
from congdanso.places.models import CommuneOwned


class Criterion(models.Model):
    """Something a citizen has done (VNeID level 2, a bank account…). Only the fact and its
    date are ever stored: never an account number, a balance or a health record."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200, help_text=_("In Vietnamese."))
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    short_name = models.CharField(
        _("short name"), max_length=40, blank=True, help_text=_("For buttons on a phone.")
    )
    short_name_en = models.CharField(_("short name in English"), max_length=40, blank=True)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    is_builtin = models.BooleanField(_("built in"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=100)

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.name


class Campaign(Created):
    place = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.PROTECT,
        related_name="campaigns",
        help_text=_("A commune, or a higher place for a district- or province-wide campaign."),
    )
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    criteria: "models.ManyToManyField[Criterion, CampaignCriterion]" = models.ManyToManyField(
        Criterion,
        verbose_name=_("criteria"),
        through="CampaignCriterion",
        related_name="campaigns",
    )
    target_exemplary = models.PositiveIntegerField(
        _("target: exemplary citizens"),
        help_text=_("How many exemplary digital citizens by the end date (e.g. 1,000)."),
    )
    cohort_min_age = models.PositiveSmallIntegerField(_("cohort: youngest age"), default=16)
    cohort_max_age = models.PositiveSmallIntegerField(_("cohort: oldest age"), default=50)
    cohort_target = models.DecimalField(
        _("target: cohort share"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("0.5"),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
        help_text=_("Share of the cohort meeting every exemplary criterion by the end date."),
    )
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="campaign_end_after_start",
            ),
            models.CheckConstraint(
                condition=models.Q(cohort_max_age__gte=models.F("cohort_min_age")),
                name="campaign_cohort_ages_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CampaignCriterion(models.Model):
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="rules"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    is_exemplary = models.BooleanField(
        _("required to be exemplary"),
        default=True,
        help_text=_("A citizen is exemplary when every criterion marked so is achieved."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("campaign criterion")
        verbose_name_plural = _("campaign criteria")
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "criterion"], name="campaign_criterion_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign}: {self.criterion}"


class TargetKind(models.TextChoices):
    COUNT = "count", _("A number of residents")
    SHARE = "share", _("A share of the population")


class TargetRole(models.TextChoices):
    """The two targets every campaign had before targets were their own objects: kept in
    step with the campaign's own fields, which the older reports still read."""

    NONE = "", _("A target of its own")
    EXEMPLARY = "exemplary", _("The campaign's exemplary-citizen target")
    COHORT = "cohort", _("The campaign's cohort-share target")


class Target(models.Model):
    """What a campaign aims at: residents who count in the place, within a population (all
    residents, or an age range on the deadline, optionally only those marked in a group such
    as students), meeting every one of a set of criteria (none
    chosen: the campaign's exemplary criteria), as a count or a share, by a deadline (none:
    the campaign's end date)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(
        _("role"), max_length=20, choices=TargetRole.choices, default="", blank=True
    )
    criteria: "models.ManyToManyField[Criterion, Any]" = models.ManyToManyField(
        Criterion,
        verbose_name=_("criteria"),
        related_name="+",
        blank=True,
        help_text=_("A resident counts when every one is met; none: the exemplary criteria."),
    )
    min_age = models.PositiveSmallIntegerField(_("youngest age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age"), null=True, blank=True)
    segment = models.CharField(
        _("group"),
        max_length=30,
        choices=Segment.choices,
        blank=True,
        default="",
        help_text=_("Only residents marked in this group (empty: everyone)."),
    )
    kind = models.CharField(_("kind"), max_length=10, choices=TargetKind.choices)
    count = models.PositiveIntegerField(_("number of residents"), null=True, blank=True)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    deadline = models.DateField(
        _("deadline"), null=True, blank=True, help_text=_("Empty: the campaign's end date.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["campaign", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(kind="count", count__isnull=False, share__isnull=True)
                    | models.Q(kind="share", share__isnull=False, count__isnull=True)
                ),
                name="target_count_or_share",
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(min_age__isnull=True, max_age__isnull=True)
                    | models.Q(max_age__gte=models.F("min_age"))
                ),
                name="target_ages_ordered",
            ),
            models.UniqueConstraint(
                fields=["campaign", "role"],
                condition=~models.Q(role=""),
                name="target_one_per_role",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    """A step on the way to a target: this many (or this share) by this date."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="milestones"
    )
    date = models.DateField(_("date"))
    count = models.PositiveIntegerField(_("number of residents"), null=True, blank=True)
    share = models.DecimalField(_("share"), max_digits=5, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        ordering = ["target", "date"]
        constraints = [
            models.UniqueConstraint(fields=["target", "date"], name="milestone_one_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.date}"


class PlaceTarget(models.Model):
    """A target's part set by hand for one village (or a commune of a wider campaign); a
    place without one has its share of the population's (docs/indicators.md, "Targets per
    place")."""

    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.CASCADE, related_name="parts"
    )
    place = models.ForeignKey(
        "places.Place", verbose_name=_("place"), on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField(_("number of residents"), null=True, blank=True)
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )

    class Meta:
        verbose_name = _("target of a place")
        verbose_name_plural = _("targets of places")
        constraints = [
            models.UniqueConstraint(fields=["target", "place"], name="place_target_unique"),
            models.CheckConstraint(
                condition=models.Q(count__isnull=False) | models.Q(share__isnull=False),
                name="place_target_has_a_value",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target_id} @ {self.place_id}"


class AchievementSource(models.TextChoices):
    FIELD = "field", _("Recorded in the field")
    IMPORT = "import", _("Imported from a list")
    SELF_DECLARED = "self_declared", _("Declared by the citizen")


class Achievement(CommuneOwned):
    resident = models.ForeignKey(
        "people.Resident",
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        related_name="achievements",
        db_index=False,  # covered by achievement_resident_criterion
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="+"
    )
    achieved_on = models.DateField(_("date achieved"))
    source = models.CharField(
        _("source"), max_length=20, choices=AchievementSource.choices, default="field"
    )
    unit = models.ForeignKey(
        "partners.Unit",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="achievements",
    )
    session = models.ForeignKey(
        "outreach.SupportSession",
        verbose_name=_("support session"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="achievements",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawn by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        ordering = ["commune", "resident", "criterion", "-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["commune", "resident", "criterion"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="achievement_one_in_force",
            ),
        ]
        indexes = [
            # Indicators: a commune's achievements of some criteria up to a date, by resident;
            # the unit is in the key so the criteria-and-units pass reads the index only.
            models.Index(
                fields=["commune", "criterion", "achieved_on", "resident", "unit"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="achievement_indicators",
            ),
            models.Index(fields=["resident", "criterion"], name="achievement_resident_criterion"),
            models.Index(fields=["commune", "unit"], name="achievement_commune_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion_id} @ {self.achieved_on}"


class TallyMeasure(models.TextChoices):
    """What a tally row counts (see progress/tallies.py)."""

    RESIDENTS = "R", _("Counted residents (item 1: without a birth date)")
    ISSUES = "Q", _("Residents with open data issues (item 1: possible duplicates)")
    EXEMPLARY = "E", _("Residents who became exemplary on the day")
    CRITERION = "C", _("Residents who reached the criterion (item) by the day")
    UNIT_ACHIEVEMENTS = "U", _("Achievements recorded through the unit (item) on the day")
    TURNS = "T", _("Turns in held sessions (item: the unit, 0 for all)")
    PEOPLE = "P", _("People first helped on the day (item: the unit, 0 for all)")
    TARGET_POPULATION = "G", _("Residents in the target's (item) population")
    TARGET_MET = "H", _("Residents of the target's (item) population who met it on the day")


class Tally(models.Model):
    """How many residents (or turns) of one measure, in one place of a campaign's subtree,
    on one day. Written only by progress.tallies; never edited by hand."""

    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by tally_key
    )
    scope = models.ForeignKey(
        "places.Place",
        verbose_name=_("place"),
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,  # covered by tally_key
    )
    measure = models.CharField(_("measure"), max_length=1, choices=TallyMeasure.choices)
    item = models.BigIntegerField(_("item"), default=0)
    day = models.DateField(_("day"))
    cohort = models.BooleanField(_("in the cohort"), default=False)
    amount = models.IntegerField(_("amount"), default=0)

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            # On PostgreSQL the index behind it also carries the amount (INCLUDE, set by
            # migration 0012, which Django's own `include` would not create on SQLite): the
            # sums of a province's 1,500 places are then read from the index alone.
            models.UniqueConstraint(
                fields=["campaign", "scope", "measure", "item", "day", "cohort"],
                name="tally_key",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.scope_id} {self.measure}{self.item} {self.day}"
