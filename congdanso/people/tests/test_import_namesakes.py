"""The matching's namesakes by birth year answer what a scan of every namesake of the village
answers, in the same order (which namesake a row matches, or is flagged a possible duplicate
of, depends on it). Pure Python: no database."""

import datetime as dt
from collections import defaultdict

from hypothesis import example, given, settings
from hypothesis import strategies as st

from congdanso.people.importing.identity import Known
from congdanso.people.importing.namesakes import Namesakes

NAMES = ["nguyen van an", "tran thi binh"]
VILLAGES = [1, 2, None]
BIRTHS = [None, dt.date(1985, 3, 5), dt.date(1985, 3, 6), dt.date(1985, 1, 1), dt.date(1990, 1, 1)]

a_person = st.tuples(st.sampled_from(NAMES), st.sampled_from(VILLAGES), st.sampled_from(BIRTHS))
steps = st.lists(
    st.one_of(
        st.tuples(st.just("add"), a_person, st.integers(0, 50)),
        st.tuples(st.just("change"), a_person, st.integers(0, 50)),
    ),
    max_size=40,
)


def _known(name: str, village: int | None, birth: dt.date | None) -> Known:
    return Known(0, None, name, name, birth, "day", "", "", village, "living", None, None)


class _Plain:
    """What the matching did before: one list per (name, village), scanned whole."""

    def __init__(self) -> None:
        self.pairs: dict[tuple[str, int | None], list[Known]] = defaultdict(list)
        self.filed: dict[int, tuple[str, int | None]] = {}

    def add(self, known: Known) -> None:
        self.pairs[known.name_key, known.village_id].append(known)
        self.filed[id(known)] = (known.name_key, known.village_id)

    def refile(self, known: Known) -> None:
        old, new = self.filed[id(known)], (known.name_key, known.village_id)
        if old != new:
            self.pairs[old] = [k for k in self.pairs[old] if k is not known]
            self.pairs[new].append(known)
            self.filed[id(known)] = new

    def born_on(self, name: str, village: int | None, birth: dt.date | None) -> list[Known]:
        return [k for k in self.pairs.get((name, village), []) if k.birth_date == birth]

    def near(self, name: str, village: int | None, birth: dt.date | None) -> list[Known]:
        return [
            k
            for k in self.pairs.get((name, village), [])
            if birth is None or k.birth_date is None or k.birth_date.year == birth.year
        ]


@settings(max_examples=300, deadline=None)
@given(steps=steps, asked=st.lists(a_person, min_size=1, max_size=6))
# The first namesake's birth year corrected to the second's: it keeps its place before it.
@example(
    steps=[
        ("add", (NAMES[0], 1, dt.date(1990, 1, 1)), 0),
        ("add", (NAMES[0], 1, dt.date(1985, 3, 5)), 0),
        ("change", (NAMES[0], 1, dt.date(1985, 1, 1)), 0),
    ],
    asked=[(NAMES[0], 1, dt.date(1985, 3, 5))],
)
def test_namesakes_by_year_answer_as_the_scan_of_every_namesake(
    steps: list[tuple[str, tuple[str, int | None, dt.date | None], int]],
    asked: list[tuple[str, int | None, dt.date | None]],
) -> None:
    fast, plain = Namesakes(), _Plain()
    people: list[Known] = []
    for action, (name, village, birth), which in steps:
        if action == "add" or not people:
            known = _known(name, village, birth)
            people.append(known)
            fast.add(known)
            plain.add(known)
        else:  # a row changes a resident's name, village or birth date
            known = people[which % len(people)]
            known.name_key, known.village_id, known.birth_date = name, village, birth
            fast.refile(known)
            plain.refile(known)
        for query in asked:
            assert [id(k) for k in fast.born_on(*query)] == [id(k) for k in plain.born_on(*query)]
            assert [id(k) for k in fast.near(*query)] == [id(k) for k in plain.near(*query)]
