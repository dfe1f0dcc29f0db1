# Copyright (c) community.qbittorrent contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""tests/collection_checks.py changelog-fragments: the fast step refuses what ansible-lint would, and says where."""

from __future__ import annotations

import importlib.util
import pathlib

import pytest

CHECKS = pathlib.Path(__file__).resolve().parents[1] / "collection_checks.py"


@pytest.fixture(name="checks")
def checks_module(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location("collection_checks", CHECKS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    (tmp_path / "changelogs" / "fragments").mkdir(parents=True)
    return module


def write_fragment(root, name, text):
    (root / "changelogs" / "fragments" / name).write_text(text, encoding="utf-8")


def test_a_line_over_the_limit_is_refused_with_file_line_and_fix(checks, tmp_path, capsys):
    write_fragment(tmp_path, "ok.yml", "minor_changes:\n  - short line.\n")
    long_line = "  - " + "x" * 200
    write_fragment(tmp_path, "long.yml", f"minor_changes:\n{long_line}\n")

    assert checks.cmd_changelog_fragments(None) == 1
    out = capsys.readouterr().out
    assert f"changelogs/fragments/long.yml:2 is {len(long_line)} characters" in out
    assert "'>-'" in out
    assert "ok.yml" not in out


def test_lines_at_the_limit_pass(checks, tmp_path, capsys):
    write_fragment(tmp_path, "edge.yaml", "bugfixes:\n" + "y" * checks.FRAGMENT_LINE_LIMIT + "\n")

    assert checks.cmd_changelog_fragments(None) == 0
    assert "all 1 changelog fragments fit" in capsys.readouterr().out


def test_a_target_using_a_setup_role_must_name_it_in_its_aliases(checks, tmp_path, capsys):
    targets = tmp_path / "tests" / "integration" / "targets"
    for name in ("setup_qbt", "uses_it", "declares_it"):
        (targets / name / "tasks").mkdir(parents=True)
    include = "- ansible.builtin.include_role:\n    name: setup_qbt\n"
    (targets / "uses_it" / "tasks" / "main.yml").write_text(include, encoding="utf-8")
    (targets / "uses_it" / "aliases").write_text("context/controller\n", encoding="utf-8")
    (targets / "declares_it" / "tasks" / "main.yml").write_text(include, encoding="utf-8")
    (targets / "declares_it" / "aliases").write_text("needs/target/setup_qbt\n", encoding="utf-8")

    assert checks.cmd_integration_targets(None) == 1
    out = capsys.readouterr().out
    assert "targets/uses_it uses the role setup_qbt: add needs/target/setup_qbt" in out
    assert "declares_it" not in out
