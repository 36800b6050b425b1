"""Round trip: a record read in, screened and written back keeps every mapped field, and
every field or value that did not map is reported and carried, never dropped."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import thbscreen
from thbscreen.interop import htcds
from thbscreen.interop._htcds_import import split_values
from thbscreen.interop._htcds_vocabulary import METHODS_OF_CONTROL

MAPPINGS = {name: htcds.load_mapping(name) for name in htcds.bundled_mappings()}
SCREENERS = {
    name: thbscreen.Screener(thbscreen.load_ruleset(m.rules)) for name, m in MAPPINGS.items()
}
MOC = "vic_MethodsOfControl"

value_names = st.one_of(
    st.sampled_from(METHODS_OF_CONTROL),
    st.sampled_from(["Other", "Unknown", "debtbondage"]),
    st.text(
        st.characters(blacklist_characters=";", blacklist_categories=("Cs",)),
        min_size=1,
        max_size=12,
    ),
).filter(lambda v: v.strip() == v and v != "")
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
other_fields = st.dictionaries(
    st.text(min_size=1, max_size=20).filter(lambda k: k != MOC), json_values, max_size=5
)


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    record: dict[str, Any] = draw(other_fields)
    if draw(st.booleans()):
        values = draw(st.lists(value_names, max_size=8))
        record[MOC] = ";".join(values) if draw(st.booleans()) else values
    return record


@pytest.mark.parametrize("name", sorted(MAPPINGS))
@given(record=records())
def test_read_screen_export_keeps_every_mapped_field_and_reports_the_rest(
    name: str, record: dict[str, Any]
) -> None:
    mapping = MAPPINGS[name]
    imported = htcds.read_record(record, mapping)
    assessment = SCREENERS[name].evaluate(imported.case)
    out = htcds.export(assessment, mapping=mapping, original=imported)

    mapped_fields = {fm.field for fm in mapping.fields}
    reported = {u.path for u in imported.unmapped}
    for key, value in record.items():
        if key in mapped_fields:
            # Kept in place, same shape, original values first and in order.
            before = [v for _, v in split_values(value, key)]
            after = [v for _, v in split_values(out[key], key)]
            assert after[: len(before)] == before
            assert type(out[key]) is type(value) or value is None
            assert set(after[len(before) :]).isdisjoint(before)
        else:
            # Unmapped: reported by path, carried untouched under thbscreen_unmapped.
            assert f"$.{key}" in reported or f"$[{key!r}]" in reported
            assert out[htcds.UNMAPPED_KEY][key] == value
    # Every value inside a mapped field either mapped or was reported.
    for key in mapped_fields & set(record):
        for path, _ in split_values(record[key], key):
            assert path in reported or any(m.path == path for m in imported.matches)
    # Nothing in the output that is neither from the record nor the result blocks.
    assert set(out) <= set(record) | mapped_fields | {htcds.RESULT_KEY, htcds.UNMAPPED_KEY}
    assert out[htcds.RESULT_KEY]["unmapped"] == [u.to_dict() for u in imported.unmapped]

    # Reading the export again gives the same case: what was added is what was found.
    again = htcds.read_record({k: v for k, v in out.items() if k in mapped_fields}, mapping)
    assert dict(again.case.indicators) == dict(imported.case.indicators)
