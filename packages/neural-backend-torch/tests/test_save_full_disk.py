"""A model file is written atomically: a full disk is one line naming the file, and the old file survives."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

#: Saves a ~4 MB model under a 64 KiB file-size limit: the write fails with EFBIG, as on a full disk.
_SAVE_UNDER_LIMIT = textwrap.dedent(
    """
    import resource, signal, sys
    from pathlib import Path
    import torch
    from neural.backends.base import TrainResult
    from neural.errors import NeuralError
    from neural_backend_torch.backend import TorchBackend

    target = Path(sys.argv[1])
    result = TrainResult(history=[], best_epoch=0, artifact=torch.nn.Linear(1000, 1000))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (65536, 65536))
    try:
        TorchBackend().save(result, target)
    except NeuralError as error:
        print(error)
        sys.exit(1)
    """
)


def test_a_full_disk_while_saving_keeps_the_earlier_model_file_and_names_the_file(tmp_path: Path) -> None:
    target = tmp_path / "net.pt"
    target.write_bytes(b"the earlier model")
    done = subprocess.run(
        [sys.executable, "-c", _SAVE_UNDER_LIMIT, str(target)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    message = done.stdout.strip()
    assert "\n" not in message and "Traceback" not in done.stderr
    assert message.startswith(f"cannot write the model file {target}:"), message
    assert target.read_bytes() == b"the earlier model"
    assert [p.name for p in tmp_path.iterdir()] == ["net.pt"]  # no temporary file left behind
