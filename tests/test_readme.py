"""The README promises what the project does: the file names the demo writes, one output naming
scheme, the set-up time, and install commands that work from a clone."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from neural.naming import module_filename, output_stem, weights_filename
from neural.program import load_program

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_demo_files_the_readme_names_are_the_ones_written() -> None:
    program = load_program(ROOT / "examples" / "advanced_hpo.neural")
    stem = output_stem(program.network.name)
    for name in (
        "advanced_hpo.best.neural",  # the source file's stem
        weights_filename(program.network.name, ".pt"),
        f"{stem}.metrics.json",
    ):
        assert f"`{name}`" in README, name
    assert stem == "advanced_hpo_example"
    assert f"`{module_filename('AdvancedHPOExample', 'pytorch').replace(stem, 'name')}`" in README
    assert "AdvancedHPOExample.pt" not in README


def test_the_set_up_time_is_stated_as_measured() -> None:
    assert "about 4 minutes the first time" in README
    assert "about a minute the first time" not in README
    assert "about 4 minutes the first time" in (ROOT / "scripts" / "setup.sh").read_text()


def test_every_pip_install_in_the_readme_works_from_a_clone() -> None:
    commands = [
        line.strip()
        for block in re.findall(r"```bash\n(.*?)```", README, re.S)
        for line in block.splitlines()
        if line.strip().startswith("pip install")
    ]
    assert commands
    for command in commands:
        for word in shlex.split(command)[2:]:
            if word.startswith("-"):
                continue
            assert not word.startswith("neural-"), f"{word} is not on a public index: install ./packages/{word}"
            if word.startswith("./"):
                assert (ROOT / word / "pyproject.toml").exists(), word
