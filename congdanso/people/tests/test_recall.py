"""The commune's keys in memory (`importing.recall`): what a table answers is what was put
in it, however full it got — growing rehashes every key into a table twice the size, and a
key lost there would be a resident the matching no longer finds (a duplicate created)."""

from collections import defaultdict

from hypothesis import given
from hypothesis import strategies as st

from congdanso.people.importing.recall import KeyTable, ResidentKeys, cccd_digest, name_digest

digests = st.integers(min_value=1, max_value=0xFFFFFFFF)
pairs = st.lists(st.tuples(digests, st.integers(min_value=1, max_value=0xFFFFFFFF)), max_size=80)


@given(pairs, st.integers(min_value=1, max_value=4))
def test_a_table_answers_every_id_put_under_a_digest_as_it_grows(
    added: list[tuple[int, int]], bits: int
) -> None:
    table = KeyTable(bits=bits)
    model: dict[int, set[int]] = defaultdict(set)
    for digest, resident_id in added:
        table.add_many([(digest, resident_id)])
        model[digest].add(resident_id)
    assert len(table) == len(added)
    for digest, expected in model.items():
        found: set[int] = set()
        table.get(digest, found)
        assert found == expected
    # at most half full: a probe always meets an empty slot and ends
    assert len(table) <= (len(table._keys) >> 1)  # noqa: SLF001


@given(pairs)
def test_adding_in_one_call_or_one_by_one_gives_the_same_answers(
    added: list[tuple[int, int]],
) -> None:
    together, apart = KeyTable(bits=1), KeyTable(bits=1)
    together.add_many(added)
    for pair in added:
        apart.add_many([pair])
    for digest, _id in added:
        one: set[int] = set()
        other: set[int] = set()
        together.get(digest, one)
        apart.get(digest, other)
        assert one == other


def test_a_digest_never_added_finds_nothing_even_in_a_full_neighbourhood() -> None:
    table = KeyTable(bits=2)  # 4 slots: grows at the third key
    table.add_many([(4, 1), (8, 2), (12, 3), (16, 4)])  # all want slot 0 of a small table
    found: set[int] = set()
    table.get(20, found)
    assert found == set()
    table.get(12, found)
    assert found == {3}


def test_the_residents_keys_name_the_candidates_by_cccd_and_by_name_and_year() -> None:
    keys = ResidentKeys()
    keys.add(
        [
            (1, "cccd-a", "nguyen van an", 7, "1985-03-05"),
            (2, None, "nguyen van an", 7, None),  # unknown year: a candidate for any year
            (3, None, "nguyen van an", 8, "1985-01-01"),  # another village
            (4, "cccd-b", "tran thi binh", 7, "1990-01-01"),
        ]
    )
    assert keys.candidates(["cccd-b"], {}) >= {4}
    assert keys.candidates([], {("nguyen van an", 7): {1985}}) >= {1, 2}
    # a 32-bit digest of another village's pair could only collide by chance (~1 in 4e9)
    assert 3 not in keys.candidates([], {("nguyen van an", 7): {1985}})
    assert cccd_digest("cccd-a") != 0 and name_digest("x", 0, 0) != 0
