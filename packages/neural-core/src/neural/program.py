"""The front end in one call: source text → checked :class:`Program`.

What the CLI, the backends and the search engine call::

    program = load_program("examples/basic_hpo.neural")   # DiagnosticsError with every error
    program.space.bind(program.space.nominal_point())      # ConcreteModel
    program.concrete_model()                               # for a file without HPO

Nothing here imports a heavy library: ``neural check`` runs on this alone.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from neural.errors import Diagnostic, DiagnosticsError, NeuralError
from neural.lang.ir import Network
from neural.model import ConcreteModel
from neural.space.space import SearchSpace


@dataclass(frozen=True)
class Program:
    """A parsed and checked ``.neural`` file.

    ``space`` holds one parameter per HPO expression (empty for a file without
    HPO) and binds points into concrete models; ``warnings`` are the checks'
    non-fatal diagnostics (render them with ``Diagnostic.render(source, filename)``).
    """

    source: str
    filename: str
    network: Network
    space: SearchSpace
    warnings: tuple[Diagnostic, ...] = ()

    @property
    def has_hpo(self) -> bool:
        """Whether the file has at least one HPO expression."""
        return len(self.space) > 0

    def concrete_model(self) -> ConcreteModel:
        """The model of a file without HPO; raises :class:`NeuralError` when the file has HPO."""
        if self.has_hpo:
            names = ", ".join(self.space.names)
            raise NeuralError(
                f"{self.filename} has hyperparameters to search ({names}); "
                "run it with --hpo, or bind a point with program.space.bind(...)"
            )
        return self.space.bind({})

    def with_train_setting(self, key: str, value: Any) -> Program:
        """This program with train key ``key`` set to ``value`` in every model it binds.

        Called for a command-line override of the train block (``--device``);
        ``value`` must already be validated (it is validated again on binding).
        """
        template = self.space.template
        if template is None:
            return self
        entries = (*(entry for entry in template.train if entry[0] != key), (key, value))
        space = SearchSpace(
            self.space.params, replace(template, train=entries), self.space.source, self.space.filename
        )
        return replace(self, space=space)

    def nominal_model(self) -> ConcreteModel:
        """The model at the search space's nominal point (what ``neural check`` shows)."""
        return self.space.bind(self.space.nominal_point())


def compile_source(source: str, filename: str = "<string>") -> Program:
    """Parse and check ``source``; raise :class:`DiagnosticsError` with every error found."""
    from neural.lang.checker import check_network
    from neural.lang.parser import parse

    network = parse(source, filename)
    result = check_network(network, source, filename)
    return Program(source, filename, network, result.space, result.warnings)


def load_program(path: str | Path) -> Program:
    """Read a ``.neural`` file (UTF-8) and compile it; a missing or unreadable file is a :class:`NeuralError`."""
    file = Path(path)
    try:
        source = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NeuralError(f"file not found: {file}; check the path and the current folder") from None
    except IsADirectoryError:
        raise NeuralError(f"{file} is a folder, not a .neural file") from None
    except UnicodeDecodeError as problem:
        raise NeuralError(f"{file} is not UTF-8 text ({problem.reason}); save it as UTF-8") from None
    except OSError as problem:
        raise NeuralError(f"cannot read {file}: {problem.strerror}") from None
    return compile_source(source, str(path))


__all__ = ["DiagnosticsError", "Program", "compile_source", "load_program"]
