"""The identity rules of the resident import, each alone (people/importing/identity.py):
which stored resident a row is, when a row is refused and with what words, what a row may
change. The import tests check the same rules through whole files; here each rule meets the
cases that tell it from a near miss, on rows and residents built by hand."""

import datetime as dt
from collections.abc import Callable

import pytest

from congdanso.core.crypto import keyring
from congdanso.people import personal
from congdanso.people.importing.cleaning import CleanRow, Issue, RejectedRow
from congdanso.people.importing.identity import (
    Counts,
    Known,
    Matcher,
    _agreement,
    _conflict,
    _in_clear,
    _same_person,
    _weak_difference,
    namesakes_wanted,
)
from congdanso.people.models import IssueCode
from congdanso.people.tests.rows import (
    AN,
    BORN,
    CCCD,
    OTHER_CCCD,
    OTHER_PHONE,
    PHONE,
)
from congdanso.people.tests.rows import clean_row as _row
from congdanso.people.tests.rows import known as _known
from congdanso.places.models import Place


def _matcher() -> tuple[Matcher, Counts, list[RejectedRow]]:
    counts, rejected = Counts(), []
    return Matcher(ring=keyring(), counts=counts, rejected=rejected), counts, rejected


def _decide(rows: list[CleanRow], *stored: Known, matcher: Matcher | None = None):  # type: ignore[no-untyped-def]
    matcher = matcher or _matcher()[0]
    return matcher.decide(rows, {k.id: k for k in stored})


# The numbers' keys need the keyring, made on first use after a look at the database; cases
# are built inside the tests, not at collection.
pytestmark = pytest.mark.django_db

# -- the rules' parts ----------------------------------------------------------------------


def test_a_number_in_clear_is_empty_when_none_is_stored() -> None:
    assert _in_clear(None, personal.CCCD) == ""
    assert _in_clear(personal.seal_cccd(CCCD), personal.CCCD) == CCCD


@pytest.mark.parametrize(
    ("row", "known", "same"),
    [
        (lambda: _row(), lambda: _known(1), True),
        # the same folded name: whatever else differs
        (lambda: _row("NGUYỄN VĂN AN", birth=None), lambda: _known(1, gender="F"), True),
        # a spelling correction keeps the birth year and the gender
        (lambda: _row("Nguyễn Văn Anh", birth=dt.date(1985, 12, 31)), lambda: _known(1), True),
        (lambda: _row("Nguyễn Văn Anh", gender=""), lambda: _known(1), True),
        (lambda: _row("Nguyễn Văn Anh"), lambda: _known(1, gender=""), True),
        (lambda: _row("Nguyễn Văn Anh", gender="F"), lambda: _known(1), False),
        (lambda: _row("Nguyễn Văn Anh", birth=dt.date(1986, 3, 5)), lambda: _known(1), False),
        (lambda: _row("Nguyễn Văn Anh", birth=None), lambda: _known(1), False),
        (lambda: _row("Nguyễn Văn Anh"), lambda: _known(1, birth=None), False),
        (lambda: _row("Đỗ Minh Khoa", birth=dt.date(1960, 1, 1)), lambda: _known(1), False),
    ],
)
def test_a_cccd_s_holder_is_the_row_s_person_unless_clearly_another(
    row: Callable[[], CleanRow], known: Callable[[], Known], same: bool
) -> None:
    assert _same_person(row(), known()) is same


@pytest.mark.parametrize(
    ("row", "known", "weak"),
    [
        # two different CCCDs tell two people apart, whatever else
        (lambda: _row(cccd=CCCD, birth=None), lambda: _known(1, cccd=OTHER_CCCD), False),
        (lambda: _row(cccd=CCCD), lambda: _known(1, cccd=CCCD), True),
        (lambda: _row(cccd=CCCD), lambda: _known(1), True),
        (lambda: _row(), lambda: _known(1, cccd=CCCD), True),
        (lambda: _row(birth=None), lambda: _known(1), True),
        (lambda: _row(), lambda: _known(1, birth=None), True),
        (lambda: _row(birth=dt.date(1985, 12, 1)), lambda: _known(1), True),
        (lambda: _row(birth=dt.date(1986, 3, 5)), lambda: _known(1), False),
    ],
)
def test_the_evidence_that_namesakes_differ_is_weak_without_cccds_or_years_apart(
    row: Callable[[], CleanRow], known: Callable[[], Known], weak: bool
) -> None:
    assert _weak_difference(row(), known()) is weak


@pytest.mark.parametrize(
    ("row", "known", "score"),
    [
        (lambda: _row(), lambda: _known(1), 2),  # gender and precision agree
        (lambda: _row(phone=PHONE), lambda: _known(1, phone=PHONE), 3),
        (lambda: _row(phone=PHONE), lambda: _known(1, phone=OTHER_PHONE), 1),
        (lambda: _row(phone=PHONE), lambda: _known(1), 2),
        (lambda: _row(gender="F", precision="year"), lambda: _known(1), -2),
        (lambda: _row(gender="", precision=""), lambda: _known(1, phone=PHONE), 0),
    ],
)
def test_agreement_counts_the_shared_fields_less_the_contradicted(
    row: Callable[[], CleanRow], known: Callable[[], Known], score: int
) -> None:
    assert _agreement(row(), known()) == score


def test_a_second_row_that_agrees_or_only_fills_is_no_conflict() -> None:
    assert _conflict(_row(), _known(1)) is None
    assert _conflict(_row(phone=PHONE, cccd=CCCD), _known(1, birth=None, gender="")) is None
    assert _conflict(_row(birth=None, gender=""), _known(1, phone=PHONE, cccd=CCCD)) is None


@pytest.mark.parametrize(
    ("row", "known", "said"),
    [
        (
            lambda: _row(birth=dt.date(1985, 3, 6)),
            lambda: _known(1),
            "another birth date: 1985-03-05, here 1985-03-06.",
        ),
        (lambda: _row(gender="F"), lambda: _known(1), "another gender: M, here F."),
        (
            lambda: _row(cccd=OTHER_CCCD),
            lambda: _known(1, cccd=CCCD),
            f"another CCCD number: {CCCD}, here {OTHER_CCCD}.",
        ),
        (
            lambda: _row(phone=OTHER_PHONE),
            lambda: _known(1, phone=PHONE),
            f"another phone: {PHONE}, here {OTHER_PHONE}.",
        ),
    ],
)
def test_a_conflict_names_the_person_the_field_and_both_values_in_clear(
    row: Callable[[], CleanRow], known: Callable[[], Known], said: str
) -> None:
    message = _conflict(row(), known())

    assert message is not None
    assert message.render("en") == (
        f"An earlier row of this file is the same person ({AN}) with " + said
    )
    assert message.render("vi").startswith(f"Một dòng phía trên trong tệp là cùng người này ({AN})")


def test_only_the_first_conflicting_field_is_named() -> None:
    message = _conflict(_row(birth=dt.date(1990, 1, 1), gender="F"), _known(1))

    assert message is not None
    assert "birth date" in message.render("en")
    assert "gender" not in message.render("en")


def test_a_village_conflict_names_both_villages(ea_yong: Place) -> None:
    cao_bang, tan_lap = (
        Place.objects.get(parent=ea_yong, name=name) for name in ("Thôn Cao Bằng", "Thôn Tân Lập")
    )

    message = _conflict(_row(village=tan_lap.pk), _known(1, village=cao_bang.pk))

    assert message is not None
    assert message.render("en").endswith("another village: Thôn Cao Bằng, here Thôn Tân Lập.")


def test_a_village_conflict_with_a_village_gone_shows_its_number(ea_yong: Place) -> None:
    cao_bang = Place.objects.get(parent=ea_yong, name="Thôn Cao Bằng")

    message = _conflict(_row(village=cao_bang.pk), _known(1, village=10**9))

    assert message is not None
    assert message.render("en").endswith(f"another village: {10**9}, here Thôn Cao Bằng.")
    message = _conflict(_row(village=10**9), _known(1, village=cao_bang.pk))
    assert message is not None
    assert message.render("en").endswith(f"another village: Thôn Cao Bằng, here {10**9}.")


# -- Matcher.decide: a chunk of rows against the residents they may be ----------------------


def test_a_row_with_a_resident_s_id_is_that_resident_whatever_its_name() -> None:
    stored = _known(7, "Đỗ Minh Khoa", cccd=CCCD)

    decided = _decide([_row(resident_id=7, cccd=OTHER_CCCD)], stored, _known(8, cccd=OTHER_CCCD))

    assert decided.updates == {7: stored}
    assert stored.full_name == AN
    assert not decided.creates


def test_a_cccd_held_by_another_person_refuses_the_row_naming_the_holder() -> None:
    matcher, counts, rejected = _matcher()
    stored = _known(7, "Đỗ Minh Khoa", birth=dt.date(1960, 1, 1), cccd=CCCD)
    unknown_birth = _known(8, "Trần Thị Bình", birth=None, gender="F", cccd=OTHER_CCCD)

    decided = _decide(
        [_row(cccd=CCCD, number=5), _row(cccd=OTHER_CCCD, number=6)],
        stored,
        unknown_birth,
        matcher=matcher,
    )

    assert [r.row_number for r in rejected] == [5, 6]
    assert [r.cells for r in rejected] == [[AN, str(BORN)]] * 2
    assert [r.reason.render("en") for r in rejected] == [
        f"CCCD {CCCD} already belongs to Đỗ Minh Khoa (born 1960-01-01), a different person.",
        f"CCCD {OTHER_CCCD} already belongs to Trần Thị Bình (born ?), a different person.",
    ]
    assert rejected[0].reason.render("vi") != rejected[0].reason.render("en")
    assert decided == type(decided)([], {}, [], [])
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 0)


def test_a_new_person_is_created_with_the_row_s_values_sealed() -> None:
    matcher, counts, _ = _matcher()
    row = _row(cccd=CCCD, phone=PHONE, status="moved_away", village=3)

    decided = _decide([row], matcher=matcher)

    ((created_row, known),) = decided.creates
    assert created_row is row
    assert (known.id, known.cccd, known.name_key, known.full_name) == (
        0,
        row.cccd_hmac,
        "nguyen van an",
        AN,
    )
    assert (known.birth_date, known.birth_date_precision, known.gender) == (BORN, "day", "M")
    assert (known.phone, known.village_id, known.status) == (row.phone_hmac, 3, "moved_away")
    assert known.cccd_sealed is not None and known.phone_sealed is not None
    assert _in_clear(known.cccd_sealed, personal.CCCD) == CCCD
    assert known.cccd_sealed[1:] == (row.cccd_hmac, row.cccd_last4_hmac)
    assert _in_clear(known.phone_sealed, personal.PHONE) == PHONE
    assert known.phone_sealed[1:] == (row.phone_hmac, row.phone_last4_hmac)
    assert (counts.created, counts.updated, counts.unchanged) == (1, 0, 0)


def test_a_new_person_without_numbers_or_status_is_living_with_nothing_sealed() -> None:
    decided = _decide([_row()])

    ((_, known),) = decided.creates
    assert (known.status, known.cccd, known.cccd_sealed, known.phone_sealed) == (
        "living",
        None,
        None,
        None,
    )


def test_a_namesake_with_weak_evidence_flags_the_new_person_once() -> None:
    matcher, counts, _ = _matcher()
    first = _known(7, birth=dt.date(1985, 1, 1))
    second = _known(8, birth=None)

    decided = _decide([_row()], first, second, matcher=matcher)

    ((_, known),) = decided.creates
    ((flagged, issue),) = decided.new_issues
    assert flagged is known
    assert issue == Issue(
        IssueCode.POSSIBLE_DUPLICATE,
        "",
        AN,
        "Trùng họ tên và thôn với người dân số 7 (sinh 1985-01-01).",  # stored in Vietnamese
    )
    assert known.issues == {(IssueCode.POSSIBLE_DUPLICATE, AN)}
    assert counts.warnings == {IssueCode.POSSIBLE_DUPLICATE: 1}


def test_a_namesake_created_by_an_earlier_row_is_named_without_a_number() -> None:
    decided = _decide([_row(number=2, birth=None), _row(number=3, birth=dt.date(1990, 1, 1))])

    assert len(decided.creates) == 2
    ((flagged, issue),) = decided.new_issues
    assert flagged is decided.creates[1][1]
    assert issue.detail == "Trùng họ tên và thôn với người dân số ? (sinh ?)."


def test_namesakes_told_apart_by_cccd_or_birth_year_are_not_flagged() -> None:
    decided = _decide(
        [_row(cccd=CCCD)],
        _known(7, cccd=OTHER_CCCD, birth=None),
        _known(8, birth=dt.date(1970, 1, 1)),
    )

    assert len(decided.creates) == 1
    assert decided.new_issues == []


def test_the_row_s_own_issues_go_with_the_person_and_are_counted() -> None:
    matcher, counts, _ = _matcher()
    bad_phone = Issue(IssueCode.PHONE_INVALID, "phone", "09", "too short")
    bad_gender = Issue(IssueCode.GENDER_INVALID, "gender", "x", "unknown")

    decided = _decide([_row(issues=(bad_phone, bad_gender))], matcher=matcher)

    ((_, known),) = decided.creates
    assert decided.new_issues == [(known, bad_phone), (known, bad_gender)]
    assert known.issues == {(IssueCode.PHONE_INVALID, "09"), (IssueCode.GENDER_INVALID, "x")}
    assert counts.warnings == {IssueCode.PHONE_INVALID: 1, IssueCode.GENDER_INVALID: 1}


def test_an_issue_the_resident_has_already_is_not_added_again_but_counted() -> None:
    matcher, counts, _ = _matcher()
    stored = _known(7)
    stored.issues.add((IssueCode.PHONE_INVALID, "09"))
    again = Issue(IssueCode.PHONE_INVALID, "phone", "09", "too short")
    other = Issue(IssueCode.PHONE_INVALID, "phone", "08", "too short")

    decided = _decide([_row(issues=(again,))], stored, matcher=matcher)
    assert decided.new_issues == []
    assert decided.updates == {}
    assert (counts.updated, counts.unchanged, counts.warnings) == (0, 1, {"phone_invalid": 1})

    decided = _decide([_row(number=3, issues=(other,))], stored)
    assert decided.new_issues == [(stored, other)]
    assert decided.updates == {7: stored}  # a new issue is a change to store


def test_a_stored_resident_matched_by_name_birth_and_village_gets_the_row_s_cccd() -> None:
    matcher, counts, _ = _matcher()
    stored = _known(7, phone=PHONE)
    row = _row(cccd=CCCD, phone=OTHER_PHONE)

    decided = _decide([row], stored, matcher=matcher)

    assert decided.updates == {7: stored}
    assert (stored.cccd, stored.phone) == (row.cccd_hmac, row.phone_hmac)
    assert _in_clear(stored.cccd_sealed, personal.CCCD) == CCCD
    assert _in_clear(stored.phone_sealed, personal.PHONE) == OTHER_PHONE
    assert decided.resolved == [
        (stored, IssueCode.PHONE_INVALID),
        (stored, IssueCode.CCCD_INVALID),
    ]
    assert (counts.created, counts.updated, counts.unchanged) == (0, 1, 0)


def test_a_row_the_same_as_the_resident_changes_nothing() -> None:
    matcher, counts, _ = _matcher()
    stored = _known(7, cccd=CCCD, phone=PHONE, village=1)

    decided = _decide([_row(cccd=CCCD, phone=PHONE, status="living")], stored, matcher=matcher)

    assert (decided.updates, decided.resolved) == ({}, [])
    assert (counts.created, counts.updated, counts.unchanged) == (0, 0, 1)


def test_namesakes_both_with_cccds_are_never_matched_by_name() -> None:
    decided = _decide([_row(cccd=CCCD)], _known(7, cccd=OTHER_CCCD))

    assert len(decided.creates) == 1
    assert decided.updates == {}


def test_among_namesakes_the_row_takes_the_one_that_agrees_best_then_the_first() -> None:
    other_phone = _known(7, phone=OTHER_PHONE)
    same_phone = _known(9, phone=PHONE)
    no_phone = _known(8)

    rows = [_row(phone=PHONE, status="moved_away")]
    assert _decide(rows, other_phone, same_phone, no_phone).updates == {9: same_phone}
    # equal agreement: the lowest id
    assert list(_decide([_row(status="moved_away")], _known(9), _known(8)).updates) == [8]


def test_a_file_with_two_namesakes_finds_each_once() -> None:
    matcher, counts, _ = _matcher()
    first, second = _known(7), _known(8)

    decided = _decide(
        [_row(number=2, status="moved_away"), _row(number=3, status="deceased")],
        first,
        second,
        matcher=matcher,
    )

    assert decided.updates == {7: first, 8: second}
    assert (first.status, second.status) == ("moved_away", "deceased")
    assert (counts.updated, counts.created) == (2, 0)


def test_a_second_row_for_a_taken_person_only_fills_empty_fields() -> None:
    matcher, counts, rejected = _matcher()
    stored = _known(7, birth=None, gender="")

    decided = _decide(
        [
            _row(number=2, birth=None, gender="", status="moved_away", village=1),
            _row(number=3, birth=None, gender="F", phone=PHONE, status="deceased"),
        ],
        stored,
        matcher=matcher,
    )

    assert rejected == []
    assert decided.updates == {7: stored}
    assert (stored.status, stored.gender, stored.phone) == (
        "moved_away",
        "F",
        personal.phone_keys(PHONE)[0],
    )
    assert (counts.updated, counts.unchanged) == (2, 0)


def test_a_second_row_that_contradicts_the_first_is_refused_with_both_values() -> None:
    matcher, counts, rejected = _matcher()

    decided = _decide(
        [_row(number=2, gender="M"), _row(number=3, gender="F")], _known(7), matcher=matcher
    )

    assert decided.updates == {}
    assert [r.row_number for r in rejected] == [3]
    assert rejected[0].reason.render("en").endswith("another gender: M, here F.")
    assert (counts.updated, counts.unchanged) == (0, 1)


def test_a_taken_namesake_born_the_same_day_is_the_same_person_told_twice() -> None:
    matcher, _, rejected = _matcher()

    decided = _decide(
        [_row(number=2, phone=PHONE), _row(number=3, phone=OTHER_PHONE)],
        _known(7),
        matcher=matcher,
    )

    assert [r.row_number for r in rejected] == [3]
    assert len(decided.creates) == 0


@pytest.mark.parametrize("precision", ["month", "year"])
def test_a_taken_namesake_known_by_month_or_year_means_another_person(precision: str) -> None:
    matcher, _, rejected = _matcher()
    born = dt.date(1985, 3, 1) if precision == "month" else dt.date(1985, 1, 1)

    decided = _decide(
        [
            _row(number=2, birth=born, precision=precision, phone=PHONE),
            _row(number=3, birth=born, precision=precision, phone=OTHER_PHONE),
        ],
        _known(7, birth=born, precision=precision),
        matcher=matcher,
    )

    assert rejected == []
    assert len(decided.creates) == 1
    assert decided.creates[0][0].row_number == 3
    assert decided.new_issues[0][1].code == IssueCode.POSSIBLE_DUPLICATE


def test_residents_taken_in_an_earlier_chunk_stay_taken() -> None:
    matcher, _, rejected = _matcher()
    stored = _known(7)
    _decide([_row(number=2, gender="M")], stored, matcher=matcher)

    again = _known(7)  # the next chunk reads the resident again
    _decide([_row(number=900, gender="F")], again, matcher=matcher)

    assert [r.row_number for r in rejected] == [900]


@pytest.mark.parametrize(
    "ids", [[5, 3], [3, 5], [70, 1, 200, 64], [1000, 9], [9, 1], [17, 1], [24, 8, 7]]
)
def test_the_taken_residents_are_remembered_by_id_in_any_order(ids: list[int]) -> None:
    matcher, _, _ = _matcher()
    matcher.claim_ids(ids)

    taken = {i for i in range(0, 1100) if matcher._is_claimed(_known(i), set())}

    assert taken == set(ids)


def test_namesakes_are_wanted_only_for_rows_no_id_or_cccd_placed() -> None:
    by_id = {7: _known(7, cccd=CCCD), 8: _known(8)}
    rows = [
        _row("Placed By Id", resident_id=7),
        _row("Placed By Cccd", cccd=CCCD),
        _row("Unknown Id", resident_id=99),
        _row(birth=dt.date(1985, 1, 1)),
        _row(birth=dt.date(1990, 1, 1)),
        _row("Trần Thị Bình", birth=None, village=None),
        _row("Trần Thị Bình", birth=dt.date(1970, 1, 1), village=None),
        _row("Lê Văn Cường", birth=dt.date(905, 1, 1), village=2),
    ]

    assert namesakes_wanted(rows, by_id) == {
        ("unknown id", 1): {"1985"},
        ("nguyen van an", 1): {"1985", "1990"},
        ("tran thi binh", 0): None,
        ("le van cuong", 2): {"0905"},
    }


def test_a_corrected_birth_date_replaces_the_stored_one_and_resolves_its_issue() -> None:
    matcher, counts, _ = _matcher()
    stored = _known(7, cccd=CCCD, birth=dt.date(1958, 1, 1), precision="year")

    decided = _decide([_row(cccd=CCCD, birth=dt.date(1958, 6, 30))], stored, matcher=matcher)

    assert (stored.birth_date, stored.birth_date_precision) == (dt.date(1958, 6, 30), "day")
    assert decided.resolved == [(stored, IssueCode.BIRTH_DATE_INVALID)]
    assert decided.updates == {7: stored}
    assert counts.updated == 1


def test_a_birth_date_told_more_precisely_is_taken() -> None:
    stored = _known(7, cccd=CCCD, birth=dt.date(1958, 1, 1), precision="year")

    decided = _decide([_row(cccd=CCCD, birth=dt.date(1958, 1, 1))], stored)

    assert (stored.birth_date, stored.birth_date_precision) == (dt.date(1958, 1, 1), "day")
    assert decided.updates == {7: stored}


def test_a_row_without_birth_date_keeps_the_stored_one() -> None:
    stored = _known(7, cccd=CCCD)

    decided = _decide([_row(cccd=CCCD, birth=None)], stored)

    assert (stored.birth_date, decided.updates, decided.resolved) == (BORN, {}, [])


def test_a_second_row_fills_an_empty_birth_date_but_keeps_a_known_one() -> None:
    stored = _known(7, cccd=CCCD, birth=None)
    born_here = _known(8, "Vũ Thị Lan", cccd=OTHER_CCCD)

    decided = _decide(
        [
            _row(cccd=CCCD, birth=None),
            _row(cccd=CCCD, number=3, birth=dt.date(1958, 6, 30)),
            _row("Vũ Thị Lan", cccd=OTHER_CCCD, number=4),
        ],
        stored,
        born_here,
    )

    assert stored.birth_date == dt.date(1958, 6, 30)
    assert decided.updates == {7: stored}


def test_a_corrected_spelling_takes_the_name_and_its_search_key() -> None:
    stored = _known(7, "Nguyễn Văn Ăn", cccd=CCCD)
    assert stored.name_key == "nguyen van an"

    decided = _decide([_row("Nguyễn Văn Anh", cccd=CCCD)], stored)

    assert (stored.full_name, stored.name_key) == ("Nguyễn Văn Anh", "nguyen van anh")
    assert decided.updates == {7: stored}


def test_a_second_row_spelling_the_name_otherwise_changes_neither() -> None:
    stored = _known(7, cccd=CCCD)

    _decide([_row(cccd=CCCD), _row("Nguyễn Văn Anh", cccd=CCCD, number=3)], stored)

    assert (stored.full_name, stored.name_key) == (AN, "nguyen van an")


def test_a_cccd_added_by_a_row_finds_the_person_for_a_later_row() -> None:
    matcher, counts, rejected = _matcher()
    stored = _known(7)  # matched by name, birth date and village; gets the CCCD

    decided = _decide(
        [_row(cccd=CCCD), _row("Nguyễn Văn Anh", cccd=CCCD, number=3)], stored, matcher=matcher
    )

    assert rejected == []
    assert decided.updates == {7: stored}
    assert (counts.updated, counts.unchanged, counts.created) == (1, 1, 0)


def test_two_rows_for_a_new_person_that_disagree_refuse_the_second() -> None:
    matcher, counts, rejected = _matcher()

    decided = _decide(
        [_row(cccd=CCCD, gender="M"), _row(cccd=CCCD, number=3, gender="F")], matcher=matcher
    )

    assert len(decided.creates) == 1
    assert decided.creates[0][1].gender == "M"
    assert [r.row_number for r in rejected] == [3]
    assert counts.created == 1


def test_an_issue_told_by_two_rows_of_the_same_person_is_added_once_and_counted_twice() -> None:
    matcher, counts, _ = _matcher()
    stored = _known(7)
    bad_phone = Issue(IssueCode.PHONE_INVALID, "phone", "09", "too short")

    decided = _decide(
        [_row(issues=(bad_phone,)), _row(number=3, issues=(bad_phone,))], stored, matcher=matcher
    )

    assert decided.new_issues == [(stored, bad_phone)]
    assert counts.warnings == {IssueCode.PHONE_INVALID: 2}


def test_a_row_with_an_id_not_in_the_commune_is_matched_by_the_other_rules() -> None:
    stored = _known(7, cccd=CCCD)

    decided = _decide([_row(resident_id=99, cccd=CCCD, status="moved_away")], stored)

    assert decided.updates == {7: stored}


def test_a_namesake_no_row_took_is_matched_even_where_the_row_says_otherwise() -> None:
    # Known by the birth year only: the row's other phone is news, not another person.
    born = dt.date(1985, 1, 1)
    stored = _known(7, birth=born, precision="year", phone=PHONE)

    decided = _decide([_row(birth=born, precision="year", phone=OTHER_PHONE)], stored)

    assert decided.updates == {7: stored}
    assert decided.creates == []
    assert stored.phone == personal.phone_keys(OTHER_PHONE)[0]
