"""IIN parsing: published examples, the demo accounts and every kind of bad input."""

from datetime import date
from typing import Literal

import pytest

from portal.domain.iin import IIN, IINProblem, InvalidIIN, is_valid_iin, parse_iin

Gender = Literal["M", "F"]


@pytest.mark.parametrize(
    ("raw", "birth_date", "gender"),
    [
        # Published examples; by the rule a 7th digit of 1 or 2 means the 1800s.
        ("061211600012", date(2006, 12, 11), "F"),
        ("800416100254", date(1880, 4, 16), "M"),
        ("680503250034", date(1868, 5, 3), "F"),
        # The demo accounts of DESIGN §5.
        ("880515301238", date(1988, 5, 15), "M"),
        ("921102404563", date(1992, 11, 2), "F"),
    ],
)
def test_published_and_demo_iins_are_valid(raw: str, birth_date: date, gender: Gender) -> None:
    assert parse_iin(raw) == IIN(value=raw, birth_date=birth_date, gender=gender)
    assert is_valid_iin(raw)


@pytest.mark.parametrize(
    ("raw", "birth_date", "gender"),
    [
        ("880515101235", date(1888, 5, 15), "M"),
        ("880515201231", date(1888, 5, 15), "F"),
        ("880515301238", date(1988, 5, 15), "M"),
        ("960229400010", date(1996, 2, 29), "F"),
        ("000229500008", date(2000, 2, 29), "M"),
        ("000229600014", date(2000, 2, 29), "F"),
    ],
)
def test_seventh_digit_gives_century_and_gender(raw: str, birth_date: date, gender: Gender) -> None:
    iin = parse_iin(raw)
    assert (iin.birth_date, iin.gender) == (birth_date, gender)


def test_check_digit_falls_back_to_second_pass_when_first_gives_ten() -> None:
    # 9·1 + 2·2 + 1·3 + 1·4 + 0·5 + 2·6 + 4·7 + 0·8 + 0·9 + 6·10 + 0·11 = 120 ≡ 10;
    # 9·3 + 2·4 + 1·5 + 1·6 + 0·7 + 2·8 + 4·9 + 0·10 + 0·11 + 6·1 + 0·2 = 104 ≡ 5.
    assert is_valid_iin("921102400605")


def test_surrounding_whitespace_is_ignored() -> None:
    assert parse_iin(" \t880515301238\n").value == "880515301238"


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("", id="empty"),
        pytest.param("   ", id="spaces-only"),
        pytest.param("880515 301238", id="inner-space"),
        pytest.param("8805-1530-1238", id="dashes"),
        pytest.param("88051530123", id="11-digits"),
        pytest.param("8805153012380", id="13-digits"),
        pytest.param("88051530123A", id="latin-letter"),
        pytest.param("88O515301238", id="latin-O-for-zero"),
        pytest.param("88\u0437515301238", id="cyrillic-ze-for-three"),
        pytest.param("88\u041e515301238", id="cyrillic-O-for-zero"),
        pytest.param(
            "\uff18\uff18\uff10\uff15\uff11\uff15\uff13\uff10\uff11\uff12\uff13\uff18",
            id="full-width-digits",
        ),
        pytest.param("88051530123\u0668", id="arabic-indic-digit"),
        pytest.param("+880515301238", id="plus-sign"),
        pytest.param("880515301238\x00", id="nul"),
    ],
)
def test_anything_but_twelve_ascii_digits_is_a_format_problem(raw: str) -> None:
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(raw)
    assert caught.value.reason is IINProblem.FORMAT
    assert not is_valid_iin(raw)


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("880515001239", id="century-0"),
        pytest.param("880515701233", id="century-7"),
        pytest.param("880515801234", id="century-8"),
        pytest.param("880515901236", id="century-9"),
    ],
)
def test_seventh_digit_outside_one_to_six_is_a_century_problem(raw: str) -> None:
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(raw)
    assert caught.value.reason is IINProblem.CENTURY


@pytest.mark.parametrize(
    "raw",
    [
        # Each carries a correct check digit, so only the date is wrong.
        pytest.param("311302300009", id="month-13"),
        pytest.param("310231300000", id="31-february"),
        pytest.param("991232400005", id="day-32"),
        pytest.param("000001300005", id="month-00"),
        pytest.param("010001300007", id="day-00"),
        pytest.param("000229300005", id="29-february-1900"),
        pytest.param("000229400021", id="29-february-1900-female"),
    ],
)
def test_impossible_birth_date_is_a_date_problem(raw: str) -> None:
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(raw)
    assert caught.value.reason is IINProblem.DATE


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param("880515301239", id="demo-with-last-digit-changed"),
        pytest.param("921102404564", id="second-demo-with-last-digit-changed"),
        pytest.param("880515301283", id="two-digits-swapped"),
        # Both passes give 10: such an IIN is never issued, whatever its last digit.
        pytest.param("821214240092", id="never-issued-published"),
        *(pytest.param(f"88051530021{digit}", id=f"never-issued-{digit}") for digit in range(10)),
    ],
)
def test_wrong_check_digit_is_a_checksum_problem(raw: str) -> None:
    with pytest.raises(InvalidIIN) as caught:
        parse_iin(raw)
    assert caught.value.reason is IINProblem.CHECKSUM


def test_invalid_iin_is_a_value_error_named_by_its_reason() -> None:
    error = InvalidIIN(IINProblem.CHECKSUM)
    assert isinstance(error, ValueError)
    assert str(error) == "checksum"
