"""Header matching (aliases, explicit mapping, errors) and the wide contacts layout."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from contactaudit.errors import ColumnError
from contactaudit.loading import load_export
from contactaudit.loading.columns import (
    ALIASES,
    SOURCE_COLUMNS,
    SOURCES,
    canonical_for,
    normalize_header,
)
from contactaudit.loading.values import clean_ids
from contactaudit.loading.wide import slot_of


def objects(frame: pd.DataFrame | pd.Series) -> pd.DataFrame | pd.Series:
    """Text as Python objects with None for a missing cell (NaN in a ``str`` column)."""
    frame = frame.astype(object)
    return frame.where(frame.notna(), None)


def write(tmp_path: Path, text: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- aliases ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "source", "canonical"),
    [
        ("Mobile_Phone", "borrowers", "phone"),
        ("mobile phone", "borrowers", "phone"),
        ("＊手机号", "borrowers", "phone"),
        ("手机号码", "borrowers", "phone"),
        ("联系电话", "contacts", "phone"),
        ("MSISDN", "reassigned", "phone"),
        ("姓名", "borrowers", "name"),
        ("联系人姓名", "contacts", "name"),
        ("与借款人关系", "contacts", "relationship"),
        ("关系", "contacts", "relationship"),
        ("借款人ID", "contacts", "borrower_id"),
        ("客户号", "borrowers", "borrower_id"),
        ("Customer ID", "borrowers", "borrower_id"),
        ("验证时间", "borrowers", "phone_verified_at"),
        ("验证时间", "contacts", "verified_at"),
        ("国家/地区", "borrowers", "country"),
        ("退订", "borrowers", "sms_opt_out"),
        ("销号时间", "reassigned", "disconnected_at"),
        ("退订时间", "opt_outs", "opted_out_at"),
        ("短信ID", "campaign", "message_id"),
        ("发送时间", "campaign", "scheduled_at"),
        ("短信内容", "campaign", "text"),
        ("loan_status", "borrowers", "status"),
    ],
)
def test_alias_matches_canonical_column(header, source, canonical):
    assert canonical_for(header, source) == canonical


def test_alias_outside_the_source_does_not_match():
    assert canonical_for("relationship", "borrowers") is None
    assert canonical_for("loan_id", "borrowers") is None


def test_no_alias_means_two_columns_within_one_source():
    for source in SOURCES:
        seen: dict[str, str] = {}
        for canonical in SOURCE_COLUMNS[source]:
            for alias in {normalize_header(a) for a in ALIASES[canonical]}:
                assert seen.setdefault(alias, canonical) == canonical, (source, alias)


def test_normalize_header_folds_width_case_and_separators():
    assert normalize_header("\ufeff Phone_Number* ") == "phonenumber"
    assert normalize_header("ＰＨＯＮＥ") == "phone"


def test_chinese_headers_load_and_are_reported(tmp_path):
    text = "客户编号,手机号码,客户姓名,国家,最近验证时间,授权时间,贷款状态,是否退订\n"
    text += "B1,13812345678,张三,cn,2023-01-05,2022-12-01,逾期,否\n"
    loaded = load_export(write(tmp_path, text), "borrowers")
    assert list(loaded.info.columns) == list(SOURCE_COLUMNS["borrowers"])
    assert loaded.info.columns["phone"] == "手机号码"
    assert loaded.frame["country"].tolist() == ["CN"]
    assert loaded.info.warnings == []


# --- explicit mapping and errors ----------------------------------------------------


def test_explicit_mapping_wins_over_aliases(tmp_path):
    text = "id,Mobile No,手机号\nB1,13812345678,13987654321\n"
    loaded = load_export(
        write(tmp_path, text),
        "borrowers",
        column_map={"borrower_id": "id", "phone": "Mobile No"},
    )
    assert loaded.frame["phone"].tolist() == ["13812345678"]
    assert loaded.info.columns == {"borrower_id": "id", "phone": "Mobile No"}
    assert {"issue": "unknown-columns", "columns": ["手机号"]} in loaded.info.warnings


def test_mapped_header_that_does_not_exist_is_an_error(tmp_path):
    path = write(tmp_path, "borrower_id,phone\nB1,1\n")
    with pytest.raises(ColumnError) as caught:
        load_export(path, "borrowers", column_map={"phone": "Mobile"})
    assert str(caught.value) == (
        f"{path}: column 'Mobile' mapped to 'phone' in [columns.borrowers] was not found. "
        "Headers found: borrower_id, phone. Fix the mapping in the config."
    )


def test_mapping_an_unknown_canonical_column_is_an_error(tmp_path):
    path = write(tmp_path, "borrower_id,phone\nB1,1\n")
    with pytest.raises(ColumnError, match="maps unknown column 'mobile'"):
        load_export(path, "borrowers", column_map={"mobile": "phone"})


def test_missing_required_column_names_it_and_the_headers_found(tmp_path):
    path = write(tmp_path, "borrower_id,name,city\nB1,a,b\n")
    with pytest.raises(ColumnError) as caught:
        load_export(path, "borrowers")
    assert str(caught.value) == (
        f"{path}: required column 'phone' not found. Headers found: borrower_id, name, city. "
        'Map it with [columns.borrowers] phone = "..." in the config.'
    )


def test_missing_column_message_does_not_list_a_data_row_as_headers(tmp_path):
    path = write(tmp_path, "B1,13812345678,张三\nB2,13987654321,李四\n")
    with pytest.raises(ColumnError) as caught:
        load_export(path, "borrowers")
    assert "13812345678" not in str(caught.value)
    assert "张三" not in str(caught.value)
    assert "no header row" in str(caught.value)


@pytest.mark.parametrize(
    ("source", "missing"), [("campaign", "borrower_id"), ("opt_outs", "phone")]
)
def test_required_columns_per_source(tmp_path, source, missing):
    path = write(tmp_path, "purpose,text\nreminder,hi\n")
    with pytest.raises(ColumnError, match=f"required column '{missing}' not found"):
        load_export(path, source)


def test_two_headers_for_one_column_are_an_error(tmp_path):
    path = write(tmp_path, "borrower_id,手机号,联系电话\nB1,1,2\n")
    with pytest.raises(ColumnError) as caught:
        load_export(path, "borrowers")
    assert str(caught.value) == (
        f"{path}: headers '手机号' and '联系电话' all look like the 'phone' column. "
        'Map the right one with [columns.borrowers] phone = "..." in the config.'
    )


def test_literally_duplicate_headers_are_an_error(tmp_path):
    path = write(tmp_path, "borrower_id,phone,phone\nB1,1,2\n")
    with pytest.raises(ColumnError, match="header 'phone' appears twice \\(columns 2 and 3\\)"):
        load_export(path, "borrowers")


def test_unknown_columns_are_a_warning_with_names_only(tmp_path):
    loaded = load_export(write(tmp_path, "borrower_id,phone,备注,city\nB1,1,秘密,x\n"), "borrowers")
    assert loaded.info.warnings == [{"issue": "unknown-columns", "columns": ["备注", "city"]}]


def test_trailing_delimiter_column_is_dropped_and_unnamed_data_column_named(tmp_path):
    text = "borrower_id,phone,,\nB1,1,x,\n"
    loaded = load_export(write(tmp_path, text), "borrowers")
    assert list(loaded.original.columns) == ["borrower_id", "phone", "column3"]
    assert {"issue": "unnamed-column", "column": "column3"} in loaded.info.warnings


def test_campaign_record_id_is_message_id(tmp_path):
    text = "msg_id,借款人ID,手机号,类型,发送时间,内容\n"
    text += "M1,B1,13812345678,collection,2026-01-01 09:00,hi\n"
    frame = load_export(write(tmp_path, text), "campaign").frame
    assert frame["_record_id"].tolist() == ["M1"]
    assert frame["scheduled_at"].tolist() == ["2026-01-01 09:00"]
    assert list(frame.columns[:6]) == list(SOURCE_COLUMNS["campaign"])


def test_keys_lose_padding(tmp_path):
    frame = load_export(write(tmp_path, "borrower_id,phone\n  B1  ,1\n   ,2\n"), "borrowers").frame
    assert objects(frame["borrower_id"]).tolist() == ["B1", None]
    assert objects(frame["_record_id"]).tolist() == ["B1", None]


def test_keys_lose_unicode_padding_and_plain_keys_are_not_copied():
    plain = pd.Series(["B1", "b-2", None, "王3"], dtype="str")
    assert clean_ids(plain).tolist() == plain.tolist()
    ascii_keys = pd.Series(["B1", "b-2", None], dtype="str")
    assert clean_ids(ascii_keys) is ascii_keys
    padded = pd.Series(["\u3000B1", "B2\xa0", " ", "B3\t", None, "B4"], dtype="str")
    assert objects(clean_ids(padded)).tolist() == ["B1", "B2", None, "B3", None, "B4"]


# --- wide contacts ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "slot"),
    [
        ("contact1_phone", (1, "phone")),
        ("Contact 2 Name", (2, "name")),
        ("contact3_relationship", (3, "relationship")),
        ("emergency_contact_1_mobile", (1, "phone")),
        ("contact_phone_2", (2, "phone")),
        ("联系人1电话", (1, "phone")),
        ("紧急联系人2手机", (2, "phone")),
        ("紧急联系人1姓名", (1, "name")),
        ("紧急联系人1关系", (1, "relationship")),
        ("第二联系人电话", (2, "phone")),
        ("联系人电话1", (1, "phone")),
        ("联系人1", (1, "name")),
    ],
)
def test_slot_headers_are_recognised(header, slot):
    assert slot_of(header) == slot


@pytest.mark.parametrize("header", ["phone", "联系电话", "contact_phone", "联系人", "phone1"])
def test_plain_headers_are_not_slots(header):
    assert slot_of(header) is None


def test_wide_english_layout_is_unpivoted(tmp_path):
    text = (
        "borrower_id,contact1_phone,contact1_name,contact1_relationship,"
        "contact2_phone,contact2_name,contact2_relationship\n"
        "B1,13812345678,Ann,mother,13987654321,Bob,friend\n"
        "B2,,,,,Cat,sister\n"
        "B3,,,,,,\n"
        "B4,,,,13700000000,,\n"
    )
    loaded = load_export(write(tmp_path, text), "contacts")
    frame = loaded.frame
    assert list(frame.columns) == [
        "borrower_id", "phone", "name", "relationship", "_row", "_record_id", "_phone_column"
    ]  # fmt: skip
    assert list(objects(frame).itertuples(index=False, name=None)) == [
        ("B1", "13812345678", "Ann", "mother", 2, None, "contact1_phone"),
        ("B1", "13987654321", "Bob", "friend", 2, None, "contact2_phone"),
        ("B2", None, "Cat", "sister", 3, None, "contact2_phone"),
        ("B4", "13700000000", None, None, 5, None, "contact2_phone"),
    ]
    assert loaded.info.rows == 4
    assert loaded.info.columns == {
        "borrower_id": "borrower_id",
        "contact1_phone": "contact1_phone",
        "contact1_name": "contact1_name",
        "contact1_relationship": "contact1_relationship",
        "contact2_phone": "contact2_phone",
        "contact2_name": "contact2_name",
        "contact2_relationship": "contact2_relationship",
    }
    assert list(loaded.original.columns)[1] == "contact1_phone"
    assert len(loaded.original) == 4


def test_wide_chinese_layout_with_dates_and_ids(tmp_path):
    text = (
        "借款人ID,姓名,手机号,紧急联系人1姓名,紧急联系人1电话,紧急联系人1关系,"
        "紧急联系人2姓名,紧急联系人2手机,紧急联系人2关系,验证时间\n"
        "B1,张三,13800000001,李四,13900000001,父亲,王五,13900000002,朋友,2023/1/5\n"
        "B2,赵六,13800000002,,,,孙七,13900000003,同事,\n"
    )
    loaded = load_export(write(tmp_path, text), "contacts")
    frame = loaded.frame
    assert list(
        frame[["borrower_id", "phone", "name", "relationship", "_row", "_phone_column"]].itertuples(
            index=False, name=None
        )
    ) == [
        ("B1", "13900000001", "李四", "父亲", 2, "紧急联系人1电话"),
        ("B1", "13900000002", "王五", "朋友", 2, "紧急联系人2手机"),
        ("B2", "13900000003", "孙七", "同事", 3, "紧急联系人2手机"),
    ]
    # The row's own verification date applies to every slot.
    assert frame["verified_at"].tolist() == [pd.Timestamp("2023-01-05")] * 2 + [pd.NaT]
    # The borrower's own name and phone are not contacts: reported, not loaded.
    assert {"issue": "unknown-columns", "columns": ["姓名", "手机号"]} in loaded.info.warnings


def test_wide_slot_contact_id_becomes_record_id(tmp_path):
    text = "borrower_id,contact1_id,contact1_phone,contact2_phone\nB1,C9,13812345678,\n"
    frame = load_export(write(tmp_path, text), "contacts").frame
    assert frame[["contact_id", "_record_id"]].values.tolist() == [["C9", "C9"]]


def test_long_contacts_record_id_is_contact_id(tmp_path):
    text = "contact_id,borrower_id,phone,relationship\nC1,B1,13812345678,母亲\n"
    frame = load_export(write(tmp_path, text), "contacts").frame
    assert frame["_record_id"].tolist() == ["C1"]
    assert frame["_phone_column"].tolist() == ["phone"]


def test_wide_slots_can_be_mapped_explicitly_and_round_trip(tmp_path):
    text = "客户号,父亲电话,母亲电话,母亲姓名\nB1,13812345678,13987654321,王芳\n"
    path = write(tmp_path, text)
    mapping = {
        "contact1_phone": "父亲电话",
        "contact2_phone": "母亲电话",
        "contact2_name": "母亲姓名",
    }
    loaded = load_export(path, "contacts", column_map=mapping)
    assert objects(loaded.frame[["phone", "name", "_phone_column"]]).values.tolist() == [
        ["13812345678", None, "父亲电话"],
        ["13987654321", "王芳", "母亲电话"],
    ]
    assert loaded.info.columns == {"borrower_id": "客户号", **mapping}
    again = load_export(path, "contacts", column_map=loaded.info.columns)
    assert again.frame.equals(loaded.frame)


def test_explicit_phone_mapping_forces_the_long_layout(tmp_path):
    text = "borrower_id,phone,contact1_phone\nB1,13812345678,13987654321\n"
    loaded = load_export(write(tmp_path, text), "contacts", column_map={"phone": "phone"})
    assert loaded.frame["phone"].tolist() == ["13812345678"]
    assert loaded.frame["_phone_column"].tolist() == ["phone"]
    assert {"issue": "unknown-columns", "columns": ["contact1_phone"]} in loaded.info.warnings


def test_mapping_both_layouts_is_an_error(tmp_path):
    path = write(tmp_path, "borrower_id,a,b\nB1,1,2\n")
    with pytest.raises(ColumnError, match="maps both 'phone' and contact slots"):
        load_export(path, "contacts", column_map={"phone": "a", "contact1_phone": "b"})
