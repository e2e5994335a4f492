"""Paths in a ``.neural`` file are relative to that file's folder, as in every config format.

``dataset: "npz:data.npz"`` in ``experiments/model.neural`` names
``experiments/data.npz`` whatever the current folder; ``--data npz:data.npz``
on the command line stays relative to the current folder. Called where the
train block's ``dataset`` becomes the data spec of a run or a search
(``neural.search.study_plan`` and ``neural run``). A dataset's argument is a
path when the dataset says so (``argument_metavar = "PATH"``: ``npz``, ``csv``).
"""

from __future__ import annotations

from pathlib import Path, PurePath


def spec_from_file(spec: str, source_file: str | Path | None) -> str:
    """``spec`` as written in ``source_file``'s train block, with a relative path made relative to its folder.

    A spec whose dataset takes no path, an absolute path, or no source file
    (a program built from a string) is returned unchanged.
    """
    if source_file is None or ":" not in spec or str(source_file).startswith("<"):
        return spec
    from neural.errors import NeuralError
    from neural.plugins import manager

    name, _, argument = spec.partition(":")
    try:
        dataset = manager.datasets().get(name.strip())
    except NeuralError:
        return spec
    argument = argument.strip()
    if dataset is None or getattr(dataset, "argument_metavar", "") != "PATH" or not argument:
        return spec
    if PurePath(argument).is_absolute() or argument.startswith("~"):
        return spec
    folder = Path(source_file).parent
    if str(folder) in ("", "."):
        return spec
    return f"{name.strip()}:{folder / argument}"
