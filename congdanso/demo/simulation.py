"""The demo campaign's simulated year: who is reached, when, at which session, by whom.

The simulation decides, for each living resident, whether and when they are reached: young
adults more than the old, people with data problems or no phone less; an exemplary citizen's
last criterion falls on an S-shaped curve (slow spring, busy summer and autumn, 1,000 passed
around October). Sessions come from the real scheduler, turns are written through the real
services. Some achievements come from outside sessions (the bank's list of new accounts,
declarations checked by the village head) and a few are withdrawn with a reason. Everything
comes from one random generator, in a fixed order, so every run builds the same rows.

A module of its own because simulating a year is one job, apart from setting the campaign
and its partners up (`demo.campaign`); the case's figures are in `demo.reference_case`.
"""

import datetime as dt
import math
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from congdanso.campaigns.achievements import achievement_record, achievement_withdraw
from congdanso.campaigns.models import Achievement, AchievementSource, Campaign, Criterion
from congdanso.demo.reference_case import (
    DOERS,
    EXEMPLARY,
    EXEMPLARY_PEOPLE,
    FRIDAY,
    JOURNEY,
    LAUNCH,
    LAUNCH_CRITERIA,
    LAUNCH_TURNS,
    LAUNCH_UNITS,
    PARTIAL_PEOPLE,
    THURSDAY,
    WITHDRAWAL_REASON_OTHER,
    WITHDRAWAL_REASONS,
    WITHDRAWALS,
    YEAR_END,
)
from congdanso.outreach.bulk import TurnEntry, turns_bulk_record
from congdanso.outreach.models import SupportSession, TurnService
from congdanso.outreach.schedule import ProposedSession, schedule_commit, schedule_propose
from congdanso.outreach.services import session_anonymous_turns_add, session_create
from congdanso.partners.models import Unit
from congdanso.people.models import DataIssue, Resident, ResidentStatus
from congdanso.places.models import Place, PlaceKind
from congdanso.vn import fold


@dataclass
class _Person:
    pk: int
    village_id: int | None
    birth: dt.date | None
    age: int | None  # at the end of 2023
    has_issue: bool
    weight: float


@dataclass
class _Visit:
    person: _Person
    target: dt.date
    criteria: list[str]
    first: bool = False
    launch: bool = False
    session: int | None = None  # index into the session slots


@dataclass
class _Slot:
    date: dt.date
    place: Place
    units: tuple[str, ...]
    visits: list[_Visit] = field(default_factory=list)


def _age(birth: dt.date | None, on: dt.date) -> int | None:
    if birth is None:
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _weight(age: int | None, has_issue: bool, has_phone: bool) -> float:
    if age is None:
        weight = 0.15
    elif age <= 17:
        weight = 0.5
    elif age <= 35:
        weight = 1.0
    elif age <= 45:
        weight = 0.8
    elif age <= 50:
        weight = 0.6
    elif age <= 60:
        weight = 0.3
    elif age <= 70:
        weight = 0.1
    else:
        weight = 0.02
    return weight * (0.4 if has_issue else 1.0) * (1.0 if has_phone else 0.5)


class YearSimulation:
    """The year of one campaign: `run` writes it, in a fixed order."""

    def __init__(
        self,
        campaign: Campaign,
        places: dict[str, Place],
        units: dict[str, Unit],
        scale: float,
        rng: random.Random,
    ) -> None:
        self.campaign, self.places, self.units = campaign, places, units
        self.scale, self.rng = scale, rng
        self.criteria = {c.code: c for c in Criterion.objects.filter(code__in=JOURNEY)}
        self.outside: list[tuple[_Person, str, dt.date, str]] = []  # person, code, date, source

    def _n(self, full: int) -> int:
        return max(1, round(full * self.scale))

    def run(self) -> None:
        people = self._people()
        chosen = self._sample(people, self._n(EXEMPLARY_PEOPLE) + self._n(PARTIAL_PEOPLE))
        exemplary, partial = (
            chosen[: self._n(EXEMPLARY_PEOPLE)],
            chosen[self._n(EXEMPLARY_PEOPLE) :],
        )
        visits = [v for p in exemplary for v in self._journey(p, complete=True)]
        visits += [v for p in partial for v in self._journey(p, complete=False)]
        sessions, slots = self._sessions(people)
        self._launch_pick(visits)
        self._assign(visits, slots)
        for session, slot in zip(sessions, slots, strict=True):
            self._record(session, slot)
        self._record_outside()
        self._withdraw(exemplary + partial)

    # People and their journeys.

    def _people(self) -> list[_Person]:
        commune = self.campaign.place
        with_issue = set(
            DataIssue.objects.filter(commune=commune, resolved_at__isnull=True).values_list(
                "resident_id", flat=True
            )
        )
        oldest_birth = LAUNCH.replace(year=LAUNCH.year - 15)
        people = []
        for pk, village_id, birth, phone in (
            Resident.objects.filter(commune=commune, status=ResidentStatus.LIVING)
            .order_by("id")
            .values_list("id", "village_id", "birth_date", "phone_hmac")
        ):
            if birth is not None and birth > oldest_birth:
                continue  # too young for a CCCD, hence for VNeID level 2
            age = _age(birth, YEAR_END)
            has_issue = pk in with_issue
            people.append(
                _Person(pk, village_id, birth, age, has_issue, _weight(age, has_issue, bool(phone)))
            )
        return people

    def _sample(self, people: list[_Person], count: int) -> list[_Person]:
        """`count` people drawn without replacement, each as likely as their weight."""
        keyed = [(self.rng.random() ** (1 / p.weight), p.pk, p) for p in people]
        keyed.sort(key=lambda k: (-k[0], k[1]))
        return [p for _key, _pk, p in keyed[:count]]

    def _curve_date(self, middle: float, spread: float) -> dt.date:
        """A day of the campaign drawn from a logistic curve (the S of cumulative progress)."""
        days = (YEAR_END - LAUNCH).days

        def cdf(x: float) -> float:
            return 1 / (1 + math.exp(-(x - middle) / spread))

        low, high = cdf(0), cdf(days)
        u = low + self.rng.random() * (high - low)
        offset = middle + spread * math.log(u / (1 - u))
        return LAUNCH + dt.timedelta(days=min(days, max(1, round(offset))))

    def _journey(self, person: _Person, *, complete: bool) -> list[_Visit]:
        rng = self.rng
        if complete:
            steps = list(JOURNEY) if rng.random() < 0.75 else list(EXEMPLARY)
            last = self._curve_date(middle=140, spread=30)
        else:
            steps = list(JOURNEY[: rng.choice((1, 2, 2, 3, 3, 4, 5, 5))])
            if len(steps) > 1 and rng.random() < 0.3:  # SIM data standardised earlier
                steps.remove("sim_standardized")
            last = self._curve_date(middle=125, spread=45)
        for code, source, share in (
            ("bank_account", AchievementSource.IMPORT, 0.22),
            ("cashless_payment", AchievementSource.SELF_DECLARED, 0.10),
            ("ehealth_book", AchievementSource.SELF_DECLARED, 0.04),
        ):
            if code in steps and len(steps) > 1 and rng.random() < share:
                steps.remove(code)
                self.outside.append((person, code, self._outside_date(source, last), source))
        count = min(len(steps), rng.choice((1, 1, 2, 2, 2, 3)) if complete else rng.choice((1, 2)))
        days = sorted(
            LAUNCH + dt.timedelta(days=rng.randint(1, max(1, (last - LAUNCH).days)))
            for _ in range(count - 1)
        )
        cuts = sorted(rng.sample(range(1, len(steps)), count - 1))
        chunks = [steps[a:b] for a, b in zip([0, *cuts], [*cuts, len(steps)], strict=True)]
        visits = [
            _Visit(person, day, chunk) for day, chunk in zip([*days, last], chunks, strict=True)
        ]
        visits[0].first = True
        return visits

    def _outside_date(self, source: str, last: dt.date) -> dt.date:
        if source == AchievementSource.IMPORT:  # the bank's monthly list of new accounts
            month_end = last.replace(day=1) - dt.timedelta(days=1)
            return month_end if month_end >= LAUNCH else last
        return LAUNCH + dt.timedelta(days=self.rng.randint(0, (last - LAUNCH).days))

    # Sessions.

    def _sessions(self, people: list[_Person]) -> tuple[list[SupportSession], list[_Slot]]:
        places = self.places
        site = next(
            (
                p
                for p in places.values()
                if p.kind == PlaceKind.OTHER
                and ("van hoa" in fold(p.name) or "hoi truong" in fold(p.name))
            ),
            places["Thôn Cao Bằng"],
        )
        launch = session_create(
            campaign=self.campaign,
            place=site,
            date=LAUNCH,
            units=[self.units[k] for k in LAUNCH_UNITS],
            title="Lễ ra mắt mô hình “1.000 công dân số tiêu biểu”",
            starts_at=dt.time(7, 30),
            ends_at=dt.time(11, 30),
        )
        cohort: dict[int, int] = defaultdict(int)
        for person in people:
            if person.village_id is not None and person.age is not None and 16 <= person.age <= 50:
                cohort[person.village_id] += 1
        proposals = schedule_propose(
            campaign=self.campaign,
            weekdays=(THURSDAY, FRIDAY),
            date_from=LAUNCH + dt.timedelta(days=1),
            need={village: math.ceil(size / 2) for village, size in cohort.items()},
            per_day=2 if self.scale >= 0.25 else 1,
        )
        slots = [_Slot(LAUNCH, site, LAUNCH_UNITS)]
        slots += [_Slot(p.date, p.place, self._crew(p.place)) for p in proposals]
        groups: dict[tuple[str, ...], list[ProposedSession]] = defaultdict(list)
        for proposal, slot in zip(proposals, slots[1:], strict=True):
            groups[slot.units].append(proposal)
        created: dict[tuple[int, dt.date], SupportSession] = {}
        for crew, group in sorted(groups.items()):
            school = group[0].place.kind == PlaceKind.SCHOOL
            for session in schedule_commit(
                campaign=self.campaign,
                proposals=group,
                units=[self.units[k] for k in crew],
                starts_at=dt.time(14, 0) if school else dt.time(7, 30),
                ends_at=dt.time(16, 30) if school else dt.time(11, 0),
            ):
                created[(session.place_id, session.date)] = session
        return [launch] + [created[(p.place.pk, p.date)] for p in proposals], slots

    def _crew(self, place: Place) -> tuple[str, ...]:
        """2–4 units: the police or the Youth Union lead, others join by turn."""
        rng = self.rng
        size = rng.choice((2, 3, 3, 4))
        if place.kind == PlaceKind.SCHOOL:
            crew = ["school", "youth"]
        else:
            crew = ["police" if rng.random() < 0.8 else "youth"]
        pool = {"youth": 5, "women": 3, "farmers": 2, "viettel": 2, "vnpt": 2, "bidv": 2}
        if place.kind == PlaceKind.EDE_VILLAGE:
            pool["farmers"] = 4
        if place.name in {"Thôn Cao Bằng", "Buôn Ghamah"}:
            pool["party" if place.name == "Thôn Cao Bằng" else "justice"] = 1
        while len(crew) < size:
            keys = [k for k in pool if k not in crew]
            crew.append(rng.choices(keys, weights=[pool[k] for k in keys])[0])
        return tuple(sorted(crew))

    def _launch_pick(self, visits: list[_Visit]) -> None:
        """Move first visits to the launch until it has about 300 turns: some 80% criteria
        done for people in the registry, the rest services and people not in it."""
        wanted = round(LAUNCH_TURNS * self.scale * 0.8)
        firsts = [
            v
            for v in visits
            if v.first
            and v.criteria[0] in LAUNCH_CRITERIA
            and v.target <= LAUNCH + dt.timedelta(days=120)
        ]
        done = 0
        for visit in self.rng.sample(firsts, len(firsts)):
            turns = sum(code in LAUNCH_CRITERIA for code in visit.criteria)
            if done + turns > wanted:
                continue
            visit.launch, visit.target = True, LAUNCH
            done += turns

    def _assign(self, visits: list[_Visit], slots: list[_Slot]) -> None:
        """Each visit goes to the first session at the person's village on or after its day
        (young parents sometimes to the school's); a person's visits keep their order."""
        by_place: dict[int, list[int]] = defaultdict(list)
        for index, slot in enumerate(slots[1:], 1):
            by_place[slot.place.pk].append(index)
        school = [i for i, s in enumerate(slots) if s.place.kind == PlaceKind.SCHOOL]
        everywhere = list(range(1, len(slots)))
        by_person: dict[int, list[_Visit]] = defaultdict(list)
        for visit in visits:
            by_person[visit.person.pk].append(visit)
        for own in by_person.values():
            own.sort(key=lambda v: (not v.launch, v.target))
            after = -1
            kept: _Visit | None = None
            for visit in own:
                if visit.launch:
                    visit.session = after = 0
                    kept = visit
                    self._launch_trim(visit, own)
                    continue
                person = visit.person
                places = by_place.get(person.village_id or -1, everywhere)
                age = person.age or 0
                if 22 <= age <= 45 and self.rng.random() < 0.3:
                    places = sorted([*places, *school])
                later = [i for i in places if i > after]
                chosen = next((i for i in later if slots[i].date >= visit.target), None)
                if chosen is None and later:
                    chosen = later[-1]
                if chosen is None:
                    if kept is not None and kept.session != 0:
                        kept.criteria += visit.criteria
                    continue
                visit.session = after = chosen
                kept = visit
        for own in by_person.values():  # the launch may have added a visit
            for visit in own:
                if visit.session is not None and visit.criteria:
                    slots[visit.session].visits.append(visit)

    @staticmethod
    def _launch_trim(visit: _Visit, own: list[_Visit]) -> None:
        """What the launch cannot do (bank, payments) moves to the person's next visit."""
        rest = [c for c in visit.criteria if c not in LAUNCH_CRITERIA]
        visit.criteria = [c for c in visit.criteria if c in LAUNCH_CRITERIA]
        if not rest:
            return
        following = [v for v in own if v is not visit]
        if following:
            following[0].criteria = rest + following[0].criteria
        else:
            own.append(_Visit(visit.person, LAUNCH + dt.timedelta(days=30), rest))

    # Writing.

    def _record(self, session: SupportSession, slot: _Slot) -> None:
        rng = self.rng
        launch_turns = max(1, round(LAUNCH_TURNS * self.scale))
        # The launch's count is a fact of the case: its services fill what criteria leave.
        spare = launch_turns - 1 - sum(len(v.criteria) for v in slot.visits)
        entries: list[TurnEntry] = []
        for visit in sorted(slot.visits, key=lambda v: v.person.pk):
            for code in visit.criteria:
                entries.append(
                    TurnEntry(visit.person.pk, self.criteria[code].pk, "", self._doer(code, slot))
                )
            services = []
            if visit.person.has_issue and rng.random() < 0.5:
                services.append(TurnService.DATA_UPDATE)
            if rng.random() < 0.2:
                services.append(TurnService.GUIDANCE)
            if not visit.launch and rng.random() < 0.05:
                services.append(TurnService.ACCOUNT_RECOVERY)
            if slot.date == LAUNCH:
                services, spare = services[: max(0, spare)], spare - len(services)
            entries += [TurnEntry(visit.person.pk, None, s, self._doer(s, slot)) for s in services]
        if entries:
            turns_bulk_record(session=session, entries=entries)
        if slot.date == LAUNCH:
            anonymous = max(1, launch_turns - len(entries))
        else:
            anonymous = max(1, round(len(entries) * 0.03) + rng.randint(-1, 3))
        session_anonymous_turns_add(session=session, count=anonymous)

    def _doer(self, action: str, slot: _Slot) -> int | None:
        key = next((k for k in DOERS[action] if k in slot.units), slot.units[0])
        return self.units[key].pk

    def _record_outside(self) -> None:
        bidv = self.units["bidv"].pk
        residents = {
            r.pk: r
            for r in Resident.objects.filter(
                commune=self.campaign.place, pk__in={p.pk for p, *_rest in self.outside}
            )
        }
        for person, code, day, source in sorted(self.outside, key=lambda o: (o[2], o[0].pk)):
            imported = source == AchievementSource.IMPORT
            achievement_record(
                resident=residents[person.pk],
                criterion=self.criteria[code],
                achieved_on=day,
                unit_id=bidv if imported else None,
                source=source,
                note=(
                    "Danh sách tài khoản mở mới do BIDV Krông Pắc cung cấp."
                    if imported
                    else "Người dân tự khai báo, trưởng thôn đã xác nhận."
                ),
            )

    def _withdraw(self, reached: Sequence[_Person]) -> None:
        recorded = list(
            Achievement.objects.filter(
                commune=self.campaign.place,
                resident_id__in=[p.pk for p in reached],
                withdrawn_at__isnull=True,
            )
            .select_related("criterion")
            .order_by("resident_id", "criterion__position")
        )
        for achievement in self.rng.sample(recorded, min(len(recorded), self._n(WITHDRAWALS))):
            achievement_withdraw(
                achievement=achievement,
                reason=WITHDRAWAL_REASONS.get(achievement.criterion.code, WITHDRAWAL_REASON_OTHER),
            )
