"""The plugin manager: discovery, isolation of broken plugins, blocking, duplicates, hints."""

from __future__ import annotations

import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import click
import pytest

import neural
from neural.backends.base import Backend, TrainData, TrainResult
from neural.errors import NeuralError
from neural.plugins import hookimpl, manager
from neural.plugins.manager import BLOCKED, FAILED, LOADED, PluginHost, disabled_plugins
from neural.search.random_search import RandomSearcher


class EchoBackend(Backend):
    """A backend class for registry tests: never generates or trains here."""

    name: ClassVar[str] = "echo"
    aliases: ClassVar[tuple[str, ...]] = ("ec",)

    def generate(self, model: Any) -> str:
        return f"# {model.name}\n"

    def train(
        self, model: Any, data: TrainData, *, reporter: Any = None, seed: int = 0, threads: int | None = None
    ) -> TrainResult:
        raise NotImplementedError

    def save(self, result: TrainResult, path: Path) -> Path:
        raise NotImplementedError


class OtherEchoBackend(EchoBackend):
    aliases: ClassVar[tuple[str, ...]] = ()


class FastRandomSearcher(RandomSearcher):
    """Core's random searcher under another name and a higher priority."""

    name: ClassVar[str] = "fast-random"
    priority: ClassVar[int] = 5


class FakeEntryPoint:
    """Looks like an ``importlib.metadata.EntryPoint``: ``load()`` returns the module or raises."""

    def __init__(
        self,
        name: str,
        module: types.ModuleType | None = None,
        *,
        error: BaseException | None = None,
        version: str = "1.2.3",
    ) -> None:
        self.name = name
        self.value = f"{name.replace('-', '_')}.plugin"
        self.dist = types.SimpleNamespace(version=version)
        self._module = module
        self._error = error
        self.loads = 0

    def load(self) -> Any:
        self.loads += 1
        if self._error is not None:
            raise self._error
        return self._module


def plugin_module(name: str, **hooks: Callable[..., Any]) -> types.ModuleType:
    """A plugin module whose attributes are the given functions, marked as hook implementations."""
    module = types.ModuleType(name)
    for hook_name, function in hooks.items():
        function.__name__ = hook_name
        setattr(module, hook_name, hookimpl(function))
    return module


def build_host(
    *entry_points: FakeEntryPoint, disabled: tuple[str, ...] = (), include_core: bool = False
) -> tuple[PluginHost, list[str]]:
    warnings: list[str] = []
    host = PluginHost(entry_points, disabled=disabled, warn=warnings.append, include_core=include_core)
    return host, warnings


def echo_plugin(name: str = "echo-plugin") -> FakeEntryPoint:
    return FakeEntryPoint(name, plugin_module(name, neural_register_backends=lambda: [EchoBackend]))


# ----------------------------------------------------------------- isolation


def test_a_plugin_that_fails_to_import_is_reported_once_and_the_others_keep_working() -> None:
    broken = FakeEntryPoint("broken-plugin", error=ImportError("No module named 'libfoo'"), version="0.9")
    host, warnings = build_host(broken, echo_plugin())

    assert host.get_backend("echo").name == "echo"
    host.backends()
    report = {info.name: info for info in host.plugin_report()}

    assert len(warnings) == 1
    assert "'broken-plugin' 0.9" in warnings[0]
    assert "ImportError: No module named 'libfoo'" in warnings[0]
    assert "NEURAL_DISABLE_PLUGINS=broken-plugin" in warnings[0]
    assert report["broken-plugin"].status == FAILED
    assert "libfoo" in (report["broken-plugin"].error or "")
    assert report["echo-plugin"].status == LOADED


def test_a_hook_that_raises_only_loses_that_plugins_features() -> None:
    def explode() -> list[type]:
        raise RuntimeError("searcher module is broken")

    flaky = FakeEntryPoint("flaky", plugin_module("flaky", neural_register_searchers=explode))
    host, warnings = build_host(flaky, include_core=True)

    assert {"random", "grid"} <= set(host.searchers())
    assert len(warnings) == 1 and "neural_register_searchers" in warnings[0]
    assert "RuntimeError: searcher module is broken" in warnings[0]
    assert {info.name: info.status for info in host.plugin_report()}["flaky"] == FAILED


def test_a_registered_object_that_is_not_a_backend_class_is_rejected() -> None:
    odd = FakeEntryPoint("odd", plugin_module("odd", neural_register_backends=lambda: ["pytorch", dict]))
    host, warnings = build_host(odd, echo_plugin())

    assert host.backend_names() == ["echo"]
    assert any("expected a class" in warning for warning in warnings)
    assert any("is not a subclass of" in warning for warning in warnings)


def test_a_misspelled_hook_is_reported_with_did_you_mean() -> None:
    typo = FakeEntryPoint("typo", plugin_module("typo", neural_register_backend=lambda: [EchoBackend]))
    host, warnings = build_host(typo)

    info = {info.name: info for info in host.plugin_report()}["typo"]
    assert info.status == FAILED
    assert "unknown hook 'neural_register_backend'" in (info.error or "")
    assert "did you mean 'neural_register_backends'" in (info.error or "")
    assert host.backend_names() == []
    assert len(warnings) == 1


# ------------------------------------------------------------------ blocking


def test_a_disabled_plugin_is_blocked_and_never_imported() -> None:
    blocked = echo_plugin("echo-plugin")
    host, warnings = build_host(blocked, disabled=("Echo_Plugin",))

    assert blocked.loads == 0
    assert {info.name: info.status for info in host.plugin_report()} == {"echo-plugin": BLOCKED}
    with pytest.raises(NeuralError, match='unknown backend "echo"'):
        host.get_backend("echo")
    assert warnings == []


def test_core_cannot_be_disabled() -> None:
    host, _ = build_host(disabled=("neural-core",), include_core=True)
    assert {"random", "grid"} <= set(host.searchers())


def test_disable_variable_is_a_comma_separated_list_of_names() -> None:
    environ = {"NEURAL_DISABLE_PLUGINS": " neural-viz, neural_search_optuna,, "}
    assert disabled_plugins(environ) == {"neural-viz", "neural-search-optuna"}
    assert disabled_plugins({}) == frozenset()


# ---------------------------------------------------------------- duplicates


def test_two_plugins_providing_the_same_backend_name_break_only_that_name() -> None:
    class OtherBackend(OtherEchoBackend):
        name: ClassVar[str] = "other"

    second = FakeEntryPoint(
        "zz-copycat", plugin_module("zz", neural_register_backends=lambda: [OtherEchoBackend, OtherBackend])
    )
    host, warnings = build_host(echo_plugin("echo-plugin"), second)

    assert host.backends()["other"] is OtherBackend  # the rest keeps working
    assert "echo" not in host.backends() and host.backends()["ec"] is EchoBackend
    assert len(warnings) == 1
    assert 'backend named "echo"' in warnings[0]
    assert "echo-plugin" in warnings[0] and "zz-copycat" in warnings[0]
    report = {info.name: info for info in host.plugin_report()}
    assert report["zz-copycat"].status == LOADED and 'backend named "echo"' in (
        report["zz-copycat"].error or ""
    )
    with pytest.raises(NeuralError) as raised:
        host.get_backend("echo")
    message = str(raised.value)
    assert 'backend named "echo"' in message
    assert "echo-plugin" in message and "zz-copycat" in message


def test_a_backend_alias_clashing_with_another_backend_is_an_error_when_used() -> None:
    class EcBackend(OtherEchoBackend):
        name: ClassVar[str] = "ec"

    clash = FakeEntryPoint("clash", plugin_module("clash", neural_register_backends=lambda: [EcBackend]))
    host, _ = build_host(clash, echo_plugin())

    assert host.backends()["echo"] is EchoBackend
    with pytest.raises(NeuralError, match=r'backend named "ec".*clash.*echo-plugin'):
        host.get_backend("ec")


def test_a_searcher_named_like_a_core_searcher_is_an_error_naming_core_when_used() -> None:
    class ImpostorSearcher(RandomSearcher):
        name: ClassVar[str] = "grid"
        methods: ClassVar[frozenset[str]] = frozenset({"grid"})

    impostor = FakeEntryPoint(
        "impostor", plugin_module("impostor", neural_register_searchers=lambda: [ImpostorSearcher])
    )
    host, _ = build_host(impostor, include_core=True)

    assert host.searcher_for("random").name == "random"
    with pytest.raises(NeuralError, match=r'searcher named "grid": neural-core .* and impostor'):
        host.searcher_for("random", "grid")
    with pytest.raises(NeuralError, match=r'searcher named "grid": neural-core .* and impostor'):
        host.searcher_for("grid")


def test_two_plugins_adding_the_same_command_break_only_that_command() -> None:
    def add_hello(cli: click.Group) -> None:
        cli.add_command(click.Command("hello", callback=lambda: None))

    def add_bye(cli: click.Group) -> None:
        cli.add_command(click.Command("bye", callback=lambda: None))

    first = FakeEntryPoint("aa-hello", plugin_module("aa", neural_register_commands=add_hello))
    second = FakeEntryPoint("bb-hello", plugin_module("bb", neural_register_commands=add_hello))
    third = FakeEntryPoint("cc-bye", plugin_module("cc", neural_register_commands=add_bye))
    host, warnings = build_host(first, second, third)
    group = click.Group("neural")
    host.register_commands(group)

    assert any('command named "hello": aa-hello and bb-hello' in warning for warning in warnings)
    assert group.commands["bye"].callback is not None
    with pytest.raises(NeuralError, match='command named "hello": aa-hello and bb-hello'):
        group.commands["hello"].invoke(click.Context(group.commands["hello"]))


# ---------------------------------------------------------------- look-ups


def test_backend_aliases_resolve_to_the_same_class() -> None:
    host, _ = build_host(echo_plugin())
    assert host.backends()["ec"] is EchoBackend
    assert isinstance(host.get_backend("ec"), EchoBackend)
    assert host.backend_names() == ["echo"]


def test_an_unknown_backend_gets_did_you_mean_and_the_installed_names() -> None:
    host, _ = build_host(echo_plugin())
    with pytest.raises(NeuralError) as raised:
        host.get_backend("ecko")
    assert str(raised.value) == "unknown backend \"ecko\": did you mean 'echo'? (installed backends: echo)"


@pytest.mark.parametrize(
    ("name", "package"),
    [
        ("pytorch", "neural-backend-torch"),
        ("torch", "neural-backend-torch"),
        ("tensorflow", "neural-backend-tf"),
        ("tf", "neural-backend-tf"),
    ],
)
def test_a_known_backend_that_is_not_installed_names_its_package(name: str, package: str) -> None:
    host, _ = build_host(echo_plugin())
    with pytest.raises(NeuralError) as raised:
        host.get_backend(name)
    assert f"pip install {package}" in str(raised.value)
    assert "installed backends: echo" in str(raised.value)


def test_a_misspelled_known_backend_gets_did_you_mean_and_its_package() -> None:
    host, _ = build_host()
    with pytest.raises(NeuralError) as raised:
        host.get_backend("pytorh")
    message = str(raised.value)
    assert "did you mean 'pytorch'?" in message
    assert "pip install neural-backend-torch" in message
    assert "installed backends: none" in message


def test_bayesian_without_a_search_plugin_names_both_packages() -> None:
    host, _ = build_host(include_core=True)
    with pytest.raises(NeuralError) as raised:
        host.searcher_for("bayesian")
    message = str(raised.value)
    assert message.startswith(
        'search_method "bayesian" needs a search plugin: pip install neural-search-optuna'
    )
    assert "neural-search-hyperopt" in message


def test_an_unknown_search_method_lists_the_installed_methods() -> None:
    host, _ = build_host(include_core=True)
    with pytest.raises(NeuralError, match=r"did you mean 'grid'.*installed methods: grid, random"):
        host.searcher_for("gird")


def test_the_highest_priority_searcher_wins_unless_one_is_named() -> None:
    fast = FakeEntryPoint(
        "fast", plugin_module("fast", neural_register_searchers=lambda: [FastRandomSearcher])
    )
    host, _ = build_host(fast, include_core=True)

    assert host.searcher_for("random") is FastRandomSearcher
    assert host.searcher_for("random", "random") is RandomSearcher
    assert host.searcher_for("grid").name == "grid"
    with pytest.raises(NeuralError, match='searcher "fast-random" does not implement search_method "grid"'):
        host.searcher_for("grid", "fast-random")
    with pytest.raises(NeuralError, match="pip install neural-search-optuna"):
        host.searcher_for("bayesian", "optuna")


def test_core_registers_its_searchers_datasets_and_commands() -> None:
    host, warnings = build_host(include_core=True)

    assert {"random", "grid"} <= set(host.searchers())
    assert {"mnist5k", "digits", "npz", "csv", "synthetic"} <= set(host.datasets())
    assert host.get_dataset("npz:some/file.npz").name == "npz"
    core = host.plugin_report()[0]
    assert (core.name, core.version, core.status) == ("neural-core", neural.__version__, LOADED)
    assert {"check", "compile", "run", "visualize", "plugins"} <= set(core.provides["commands"])
    assert warnings == []


def test_the_report_says_what_each_plugin_provides() -> None:
    def add_hello(cli: click.Group) -> None:
        cli.add_command(click.Command("hello", callback=lambda: None))

    rich_plugin = FakeEntryPoint(
        "rich-plugin",
        plugin_module(
            "rich_plugin",
            neural_register_backends=lambda: [EchoBackend],
            neural_register_searchers=lambda: [FastRandomSearcher],
            neural_register_commands=add_hello,
        ),
        version="4.5.6",
    )
    host, _ = build_host(rich_plugin)

    (info,) = host.plugin_report()
    assert (info.name, info.version, info.status) == ("rich-plugin", "4.5.6", LOADED)
    assert info.provides == {"backends": ["echo"], "searchers": ["fast-random"], "commands": ["hello"]}


def test_an_unknown_visualizer_names_neural_viz() -> None:
    host, _ = build_host(include_core=True)
    with pytest.raises(NeuralError, match='visualizer "html" is not installed: pip install neural-viz'):
        host.get_visualizer("html")


def test_the_default_warning_goes_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    PluginHost([FakeEntryPoint("broken", error=ImportError("boom"))], include_core=False)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("plugin 'broken'") == 1


def test_the_process_host_is_built_once_and_reset_rebuilds_it() -> None:
    manager.reset()
    first = manager.host()
    assert manager.host() is first
    manager.reset()
    assert manager.host() is not first
    manager.reset()


# --------------------------------------------------- the conformance suites catch broken plugins


class OutOfSpaceSearcher(RandomSearcher):
    """Proposes a Dense width the space does not allow."""

    name: ClassVar[str] = "out-of-space"

    def ask(self) -> Any:
        proposal = super().ask()
        if proposal is not None:
            proposal.params["dense_1.units"] = 999
        return proposal


class UnseededSearcher(RandomSearcher):
    """Ignores the study seed: every instance draws differently."""

    name: ClassVar[str] = "unseeded"
    _instances = 0

    def __init__(self, space: Any, settings: Any) -> None:
        UnseededSearcher._instances += 1
        settings.seed = UnseededSearcher._instances
        super().__init__(space, settings)


class WrongDirectionSearcher(RandomSearcher):
    """Always proposes the worst point of the suite's small objective."""

    name: ClassVar[str] = "wrong-direction"

    def ask(self) -> Any:
        proposal = super().ask()
        if proposal is not None and "dropout_1.rate" in proposal.params:
            proposal.params.update({"dense_1.units": 8, "dropout_1.rate": 0.5})
        return proposal


def suite_for(searcher: type) -> Any:
    from neural.testing import SearcherSuite

    return type("Suite", (SearcherSuite,), {"searcher_class": searcher})()


def test_the_searcher_suite_accepts_core_random_search() -> None:
    suite = suite_for(RandomSearcher)
    suite.test_every_proposal_lies_in_the_space("random")
    suite.test_finds_a_good_point_of_a_small_objective("random", "maximize")
    suite.test_same_seed_gives_the_same_proposals("random")


@pytest.mark.parametrize(
    ("searcher", "test"),
    [
        (OutOfSpaceSearcher, "test_every_proposal_lies_in_the_space"),
        (UnseededSearcher, "test_same_seed_gives_the_same_proposals"),
    ],
)
def test_the_searcher_suite_fails_a_broken_searcher(searcher: type, test: str) -> None:
    with pytest.raises(AssertionError):
        getattr(suite_for(searcher), test)("random")


def test_the_searcher_suite_fails_a_searcher_that_never_finds_the_optimum() -> None:
    with pytest.raises(AssertionError, match="a tenth of the space"):
        suite_for(WrongDirectionSearcher).test_finds_a_good_point_of_a_small_objective("random", "minimize")


def test_a_duplicate_name_leaves_neural_plugins_and_check_working(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from neural.cli.main import cli

    class ImpostorRandom(RandomSearcher):
        name: ClassVar[str] = "random"

    impostor = FakeEntryPoint(
        "impostor", plugin_module("impostor", neural_register_searchers=lambda: [ImpostorRandom])
    )
    host, warnings = build_host(impostor, include_core=True)
    monkeypatch.setattr(manager, "_HOST", host)
    listed = CliRunner().invoke(cli, ["plugins"], prog_name="neural")
    assert listed.exit_code == 0, listed.output
    assert 'searcher named "random": neural-core' in " ".join(listed.output.split())
    model = tmp_path / "m.neural"
    model.write_text(
        'network M { input: (4,) layers: Dense(HPO(choice(2, 4))) Output(2, "softmax") '
        'train { search_method: "grid" } }'
    )
    checked = CliRunner().invoke(cli, ["check", str(model)], prog_name="neural")
    assert checked.exit_code == 0, checked.output
    assert len(warnings) == 1


def test_neural_plugins_shows_each_methods_default_searcher() -> None:
    from neural.cli.plugins_cmd import default_searchers_line

    fast = FakeEntryPoint(
        "fast", plugin_module("fast", neural_register_searchers=lambda: [FastRandomSearcher])
    )
    host, _ = build_host(fast, include_core=True)
    assert default_searchers_line(host).endswith("grid → grid, random → fast-random")


# ---------------------------------------------------------------- silent mistakes get a word


def test_a_neural_function_without_hookimpl_is_named_with_the_fix() -> None:
    module = types.ModuleType("forgetful")

    def neural_register_backends() -> list[type]:
        return [EchoBackend]

    module.neural_register_backends = neural_register_backends  # type: ignore[attr-defined]
    host, warnings = build_host(FakeEntryPoint("forgetful", module))
    assert host.backends() == {}
    assert len(warnings) == 1
    assert (
        "forgetful.plugin.neural_register_backends is not marked with @neural.plugins.hookimpl" in warnings[0]
    )


def test_a_disabled_name_that_matches_no_plugin_is_reported_with_did_you_mean() -> None:
    _, warnings = build_host(echo_plugin("echo-plugin"), disabled=("echo-plugn",))
    assert len(warnings) == 1
    assert "'echo-plugn', which matches no installed plugin" in warnings[0]
    assert "did you mean 'echo-plugin'" in warnings[0]


def test_a_hook_with_arguments_its_hookspec_lacks_fails_in_one_line() -> None:
    def neural_register_backends(config: Any) -> list[type]:
        return [EchoBackend]

    host, _ = build_host(
        FakeEntryPoint(
            "wrong-args", plugin_module("wrong_args", neural_register_backends=neural_register_backends)
        )
    )
    info = {i.name: i for i in host.plugin_report()}["wrong-args"]
    assert info.status == FAILED
    assert info.error == (
        "hook implementation neural_register_backends(config) does not match its hookspec "
        "neural_register_backends(): argument(s) {'config'} are declared in the hookimpl but can not be "
        "found in the hookspec"
    )
    assert "\n" not in info.error


def test_data_help_lists_the_installed_datasets_a_plugin_adds(monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from neural.cli.main import cli
    from neural.datasets.synthetic import SyntheticDataset

    class WeatherDataset(SyntheticDataset):
        name: ClassVar[str] = "weather"
        needs_argument: ClassVar[bool] = True
        argument_metavar: ClassVar[str] = "STATION"

    weather = FakeEntryPoint(
        "weather", plugin_module("weather", neural_register_datasets=lambda: [WeatherDataset])
    )
    host, _ = build_host(weather, include_core=True)
    monkeypatch.setattr(manager, "_HOST", host)
    for command in ("run", "compile"):
        shown = CliRunner().invoke(cli, [command, "--help"], prog_name="neural")
        assert shown.exit_code == 0, shown.output
        assert "synthetic, mnist, fashion_mnist, weather:STATION" in " ".join(shown.output.split())
