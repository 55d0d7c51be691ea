"""The two structures of the report and the placing of every paragraph of 64/259 under the
component of the accountability system it serves."""

import json

import pytest

from org.resolution import load_document
from reports import structure


def test_every_paragraph_of_the_resolution_serves_exactly_one_component():
    numbers = [p["number"] for p in load_document()["paragraphs"]]
    placed = [n for ns in structure.component_paragraphs().values() for n in ns]
    assert sorted(placed) == sorted(numbers) and len(numbers) == 33
    assert len(placed) == len(set(placed))
    assert structure.component_of(12) == "oversight"
    assert structure.component_of(31) == "internal_control"
    with pytest.raises(KeyError):
        structure.component_of(34)


def test_the_components_are_the_six_of_the_secretary_generals_reports():
    keys = [key for key, _title in structure.sections("components", "en")]
    assert keys == [
        "introduction",
        "charter",
        "planning_budget",
        "performance_results",
        "integrity_ethics",
        "oversight",
        "internal_control",
    ]
    titles = dict(structure.sections("components", "zh-hans"))
    assert titles["charter"] == "《联合国宪章》"
    assert titles["internal_control"] == "内部控制和企业风险管理"


def test_the_resolution_structure_follows_its_sections():
    keys = [key for key, _title in structure.sections("resolution", "en")]
    codes = [s["code"] for s in load_document()["sections"]]
    assert keys == ["introduction", "preliminary", *codes]
    titles = dict(structure.sections("resolution", "zh-hans"))
    assert titles["G"] == "权力下放"
    with pytest.raises(structure.UnknownStructure):
        structure.sections("chapters", "en")


def test_the_data_file_names_each_component_in_both_languages():
    data = json.loads(structure.DATA_FILE.read_text(encoding="utf-8"))
    for component in data["components"]:
        assert component["title_en"] and component["title_zh"]
