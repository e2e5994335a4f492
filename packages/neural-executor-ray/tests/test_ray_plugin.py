"""The plugin is light, listed, and named in the errors; Ray is imported only with ``--executor ray``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from neural.testing import assert_light_import

sys.path.insert(0, str(Path(__file__).parent))
from ray_support import EXAMPLES, local_env, neural

TINY = """\
network TinySearch {
  input: (8,)
  layers:
    Dense(HPO(choice(4, 8)), activation="relu")
    Output(3, "softmax")
  loss: "sparse_categorical_crossentropy"
  train { epochs: 1 batch_size: 32 validation_split: 0.25 dataset: "synthetic:64,3" n_trials: 2 }
}
"""

#: Runs a local search in this interpreter, then says whether Ray was imported.
PROBE = """
import sys
from neural.cli.main import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    print("@@ray=" + str("ray" in sys.modules))
"""


def test_the_plugin_module_imports_no_heavy_library() -> None:
    assert_light_import("neural_executor_ray.plugin")


def test_neural_plugins_lists_the_ray_executor(tmp_path: Path) -> None:
    done = neural("plugins", env=local_env(), cwd=tmp_path)
    row = next(line for line in done.stdout.splitlines() if "neural-executor-ray" in line)
    assert "executors: ray" in row
    assert "executors: local" in done.stdout


def test_a_misspelt_executor_is_one_line_with_did_you_mean(tmp_path: Path) -> None:
    done = neural(
        "run", str(EXAMPLES / "basic_hpo.neural"), "--hpo", "--executor", "rayy",
        env=local_env(), cwd=tmp_path, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.strip() == "error: unknown executor \"rayy\": did you mean 'ray'? (installed executors: local, ray)"
    assert "Traceback" not in done.stdout + done.stderr


def test_an_address_where_nothing_answers_is_one_line_at_once(tmp_path: Path) -> None:
    from ray_support import free_port

    address = f"127.0.0.1:{free_port()}"
    done = neural(
        "compile", str(EXAMPLES / "basic_hpo.neural"), "--hpo", "--executor", "ray", "--address", address,
        env=local_env(), cwd=tmp_path, check=False, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: nothing answers at --address {address} (Connection refused): ")
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "hpo_results.json").exists()


def test_a_local_search_never_imports_ray(tmp_path: Path) -> None:
    model = tmp_path / "tiny.neural"
    model.write_text(TINY)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "compile", str(model), "--hpo", "--parallel", "1", "--out", str(tmp_path)],
        env=local_env(), cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert "@@ray=False" in done.stdout, done.stdout + done.stderr
    assert (tmp_path / "hpo_results.json").is_file()
