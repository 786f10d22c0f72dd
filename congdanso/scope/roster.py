"""The roster a phone takes to a session where there may be no signal at all: the residents
of the session's place the user may see, with what field mode needs to find them and tick
their criteria offline — and never a whole CCCD or phone number (DESIGN.md, data rules).

Each person is one compact row (a phone on weak 3G downloads a village of 3,000 in well under
300 KB): id, name, folded search key, birth year, village, the first digits and the last four
of the CCCD and of the phone (enough to show them masked, to confirm a card scanned offline,
and to show the four digits a search matched), and the campaign's criteria already reached,
as a bit mask over the campaign's criteria in their order.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from congdanso.campaigns.models import Campaign
from congdanso.campaigns.selectors import campaign_rules
from congdanso.core.crypto import keyring
from congdanso.outreach.models import SupportSession
from congdanso.people import personal
from congdanso.people.models import ResidentStatus
from congdanso.places.models import DWELLING_KINDS, Place
from congdanso.scope.access import Access
from congdanso.scope.cards import criteria_reached, criterion_short_label, recording_unit
from congdanso.scope.people import campaign_residents
from congdanso.vn import vietnam_today

#: Residents read (and decrypted) a batch at a time.
_BATCH = 2000


@dataclass(frozen=True)
class Roster:
    session: SupportSession
    made_on: dt.date
    criteria: tuple[tuple[str, str, bool], ...]  # code, button label, counts for exemplary
    villages: dict[int, str]
    people: tuple[tuple[Any, ...], ...]
    unit_id: int | None

    def as_json(self) -> dict[str, Any]:
        return {
            "format": 1,
            "session": {
                "id": self.session.pk,
                "campaign": self.session.campaign_id,
                "date": self.session.date.isoformat(),
                "place": self.session.place.name,
                "place_id": self.session.place_id,
            },
            "made_on": self.made_on.isoformat(),
            "unit_id": self.unit_id,
            "criteria": [list(c) for c in self.criteria],
            "villages": {str(pk): name for pk, name in self.villages.items()},
            "fields": [
                "id",
                "name",
                "key",
                "birth_year",
                "village",
                "cccd_head",
                "cccd_last4",
                "phone_head",
                "phone_last4",
                "done",
            ],
            "people": [list(p) for p in self.people],
        }


def session_roster(access: Access, campaign: Campaign, session: SupportSession) -> Roster:
    """The roster of the session's place: its residents when it is a village (or a group of
    a town); the commune's when it is a school or another site, whose people live all over."""
    rules = campaign_rules(campaign)
    criteria = rules.criteria
    residents = campaign_residents(access, campaign).filter(status=ResidentStatus.LIVING)
    place = session.place
    if place.kind in DWELLING_KINDS:
        residents = residents.filter(commune_id=place.commune_id, village=place)
    elif place.commune_id is not None:
        residents = residents.filter(commune_id=place.commune_id)
    rows = list(
        residents.order_by("name_key", "id").values_list(
            "pk", "full_name", "name_key", "birth_date", "village_id", "cccd_encrypted",
            "phone_encrypted",
        )
    )  # fmt: skip
    ring = keyring()
    people = []
    villages: dict[int, str] = {}
    for start in range(0, len(rows), _BATCH):
        batch = rows[start : start + _BATCH]
        reached = criteria_reached(campaign, [row[0] for row in batch])
        for pk, name, key, born, village_id, cccd, phone in batch:
            cccd_text = ring.decrypt(cccd, personal.CCCD) if cccd else ""
            phone_text = ring.decrypt(phone, personal.PHONE) if phone else ""
            done = reached.get(pk, {})
            mask = sum(1 << i for i, c in enumerate(criteria) if c.pk in done)
            people.append(
                (
                    pk, name, key, born.year if born else None, village_id,
                    cccd_text[:3], cccd_text[-4:], phone_text[:2], phone_text[-4:], mask,
                )
            )  # fmt: skip
            if village_id is not None:
                villages[village_id] = ""
    if villages:
        villages.update(Place.objects.filter(pk__in=villages).values_list("pk", "name"))
    unit = recording_unit(access, campaign)
    return Roster(
        session=session,
        made_on=vietnam_today(),
        criteria=tuple(
            (c.code, criterion_short_label(c), c.pk in rules.exemplary_ids) for c in criteria
        ),
        villages=villages,
        people=tuple(people),
        unit_id=unit.pk if unit else None,
    )
