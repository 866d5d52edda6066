"""Network mode of the browser playground, in headless Chromium, checked against the engine.

Each test reads what the page shows (parameters at full precision through
``window.playgroundNetwork``, the batch, the data, the maps it drew, the numbers in
``data-`` attributes), then builds the same thing in the test with autograd_lite's
``Value`` and ``nn.MLP`` and compares to 1e-12. The site is built once per session
(``playground_site`` in conftest.py) and served on 127.0.0.1; Chromium cannot resolve
any other host.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Sequence
from typing import Any, Literal
from urllib.parse import parse_qs, urlparse

import pytest

from autograd_lite import Value, losses, nn, optim
from tests.chromium import emulate
from tests.playground_pages import (
    SCREENSHOTS,
    by_id,
    close,
    commit,
    epochs_and_updates,
    no_sideways_scroll,
    open_page,
    overflow,
    page_network,
    screenshot_on_failure,
    wait_for,
    wait_network,
)

pytestmark = pytest.mark.browser

FEATURES: dict[str, Callable[[float, float], float]] = {
    "x1": lambda a, b: a,
    "x2": lambda a, b: b,
    "x1^2": lambda a, b: a * a,
    "x2^2": lambda a, b: b * b,
    "x1*x2": lambda a, b: a * b,
    "sin(x1)": lambda a, b: math.sin(a),
    "sin(x2)": lambda a, b: math.sin(b),
}


# -- the engine, in the test ------------------------------------------------------------


def model_of(shown: dict[str, Any], values: Sequence[float]) -> nn.MLP:
    """A fresh ``nn.MLP`` of the page's shape, loaded with ``values``."""
    config = shown["state"]["config"]
    data = shown["data"]
    hidden = [int(width) for width in config["hidden"].replace(",", " ").split()]
    last: Literal["sigmoid", "linear"] = "linear"
    if data["kind"] == "regression":
        outputs = 1
    elif data["classes"] == 2:
        outputs, last = 1, "sigmoid"
    else:
        outputs = int(data["classes"])
    model = nn.MLP(
        len(config["features"]),
        [*hidden, outputs],
        activation=config["activation"],
        output_activation=last,
    )
    model.load_parameters(list(values))
    return model


def features_of(shown: dict[str, Any], point: Sequence[float]) -> list[float]:
    return [FEATURES[name](point[0], point[1]) for name in shown["state"]["config"]["features"]]


def example_loss(model: nn.MLP, shown: dict[str, Any], point: Sequence[float]) -> Value:
    """One example's loss: BCE (2 classes), cross-entropy (3), mse (regression)."""
    out = model(features_of(shown, point))
    data = shown["data"]
    if data["kind"] == "regression":
        assert isinstance(out, Value)
        return losses.mse(out, point[2])
    if data["classes"] == 2:
        assert isinstance(out, Value)
        return losses.binary_cross_entropy(out, int(point[2]))
    assert isinstance(out, list)
    return losses.cross_entropy(out, int(point[2]))


def penalty(shown: dict[str, Any], model: nn.MLP) -> Value | float:
    """λ·Σw² (L2) or λ·Σ|w| (L1) over the weights, not the biases."""
    config = shown["state"]["config"]
    rate = float(config["rate"])
    weights = [p for name, p in model.named_parameters() if ".w." in name]
    if config["regularization"] == "l2":
        return rate * sum((w * w for w in weights), Value(0.0))
    if config["regularization"] == "l1":
        return rate * sum((abs(w) for w in weights), Value(0.0))
    return 0.0


# -- the page ----------------------------------------------------------------------------


def shown_update(driver: Any) -> int:
    return int(driver.execute_script("return window.playgroundNetwork.state().update"))


def step(driver: Any) -> None:
    """Press step and wait until the page shows the update it made."""
    before = shown_update(driver)
    by_id(driver, "step").click()
    wait_for(
        lambda: shown_update(driver) == before + 1 and by_id(driver, "step").is_enabled(),
        f"update {before + 1}",
    )


def click_at(driver: Any, x: float, y: float) -> None:
    """A real pointer click at viewport coordinates (as a mouse or a finger would)."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.action_builder import ActionBuilder

    actions = ActionChains(driver)
    builder = ActionBuilder(driver)
    builder.pointer_action.move_to_location(int(x), int(y))  # type: ignore[no-untyped-call]
    builder.pointer_action.click()
    builder.perform()
    actions.reset_actions()


def click_parameter(driver: Any, index: int) -> None:
    """Click the hit path of parameter ``index`` at a point of it no other edge covers."""
    point = driver.execute_script(
        "const hit = document.querySelector("
        "  `#network-view [data-parameter='${arguments[0]}'] .hit`);"
        "hit.scrollIntoView({block: 'center', inline: 'center'});"
        "const svg = hit.ownerSVGElement, m = hit.getScreenCTM();"
        "const wanted = hit.tagName === 'rect' ? [0.5]"
        "  : [0.08, 0.15, 0.25, 0.35, 0.5, 0.65, 0.8, 0.9];"
        "for (const t of wanted) {"
        "  let x, y;"
        "  if (hit.tagName === 'rect') { const r = hit.getBoundingClientRect();"
        "    x = r.left + r.width / 2; y = r.top + r.height / 2; }"
        "  else { const p = hit.getPointAtLength(t * hit.getTotalLength());"
        "    const q = new DOMPoint(p.x, p.y).matrixTransform(m); x = q.x; y = q.y; }"
        "  if (document.elementFromPoint(x, y) === hit) return [x, y];"
        "}"
        "return null",
        index,
    )
    assert point, f"parameter {index}'s edge is covered everywhere"
    click_at(driver, *point)


def click_training_point(driver: Any, k: int) -> None:
    """Click training example ``k`` where the data plot drew it."""
    point = driver.execute_script(
        "const c = document.getElementById('boundary');"
        "c.scrollIntoView({block: 'center'});"
        "const r = c.getBoundingClientRect();"
        "const p = window.playgroundNetwork.pointPixels()[arguments[0]];"
        "return [r.left + p[0], r.top + p[1]]",
        k,
    )
    click_at(driver, *point)


def explained(driver: Any, parameter: int, example: int) -> dict[str, Any]:
    """Wait for the explanation of ``parameter`` on ``example``; its numbers as shown."""
    found: dict[str, Any] = wait_for(
        lambda: driver.execute_script(
            "const p = document.getElementById('explanation');"
            "const g = document.getElementById('explain-grad');"
            "if (p.hidden || p.dataset.parameter !== String(arguments[0])"
            "    || p.dataset.example !== String(arguments[1]) || !g.dataset.grad) return null;"
            "return {grad: Number(g.dataset.grad), text: g.textContent,"
            " title: document.getElementById('explain-title').textContent,"
            " total: Number(document.getElementById('explain-share').dataset.total),"
            " share: document.getElementById('explain-share').textContent,"
            " rows: [...document.querySelectorAll('#explain-ledger tr')].slice(1).map(r =>"
            "   ({into: r.dataset.into === 'yes', contribution: Number(r.dataset.contribution),"
            "     mark: r.cells[0].textContent}))}",
            parameter,
            example,
        ),
        f"the explanation of parameter {parameter} on example {example}",
    )
    return found


def agree(driver: Any) -> tuple[int, int]:
    """The status, the network view, the data plot and the loss chart say the same epoch
    and update; returns them."""
    seen = epochs_and_updates(driver)
    assert len(set(seen.values())) == 1, seen
    epoch, update = next(iter(seen.values()))
    status = by_id(driver, "net-status").text
    assert f"epoch {epoch}, update {update} " in status, status
    return int(epoch), int(update)


def only_this_site(driver: Any, site: str) -> None:
    origin = site.split("/playground/")[0]
    resources: list[str] = driver.execute_script(
        "return performance.getEntriesByType('resource').map(e => e.name)"
    )
    assert [url for url in resources if not url.startswith(origin)] == []


# -- one step is one update of the engine ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "make"),
    [
        (
            # SGD, L2, mini-batches of 10 on moons with three input features.
            "dataset=moons&hidden=4&activation=tanh&optimizer=sgd&lr=0.3&reg=l2&rate=0.01"
            "&descent=minibatch&batch=10&features=x1,x2,x1%5E2&seed=3",
            lambda params, lr: optim.SGD(params, lr=lr),
        ),
        (
            # Adam, L1, one example at a time on spirals (3 classes, cross-entropy).
            "dataset=spirals&hidden=5&activation=relu&optimizer=adam&lr=0.05&reg=l1&rate=0.002"
            "&descent=sgd&features=x1,x2,sin(x1),x1*x2&seed=1",
            lambda params, lr: optim.Adam(params, lr=lr),
        ),
    ],
    ids=["sgd-l2-minibatch-moons", "adam-l1-stochastic-spirals"],
)
def test_one_step_is_one_update_of_the_engine(
    browser: Any, site: str, query: str, make: Callable[..., optim.Optimizer]
) -> None:
    with screenshot_on_failure(browser, "one_step"):
        open_page(browser, f"{site}?mode=network&{query}")
        wait_network(browser, "paused", what="the network built")
        before = page_network(browser)
        batch = before["state"]["next_batch"]
        step(browser)
        after = page_network(browser)
        assert after["state"]["last_step"]["batch"] == batch  # the batch it said it would use
        assert after["data"] == before["data"]
        # In the test: the same loss with Values, backward, the same optimizer's step.
        model = model_of(before, before["parameters"]["values"])
        train = before["data"]["train"]
        loss = sum((example_loss(model, before, train[k]) for k in batch), Value(0.0))
        loss = loss / len(batch) + penalty(before, model)
        model.zero_grad()
        loss.backward()
        grads = [p.grad for p in model.parameters()]
        make(model.parameters(), before["state"]["config"]["lr"]).step()
        want = [p.data for p in model.parameters()]
        got = after["parameters"]["values"]
        assert len(got) == len(want)
        worst = max(abs(g - w) for g, w in zip(got, want, strict=True))
        assert worst <= 1e-12, worst
        moved = after["state"]["last_step"]["moved"]
        for row in moved:  # the gradient the step reports is the engine's
            assert close(row["grad"], grads[row["index"]]), row
        # The loss the report shows before the update is this loss.
        assert close(after["state"]["last_step"]["loss_before"], loss.data)
        # The moved edges are highlighted: the largest |Δ| first.
        biggest = moved[0]["index"]
        assert browser.find_elements(
            "css selector", f"#network-view .moved[data-parameter='{biggest}']"
        )
        assert by_id(browser, "step-report").get_attribute("data-batch") == ",".join(
            map(str, batch)
        )


# -- a clicked weight's gradient is the engine's --------------------------------------------


def test_a_clicked_weight_shows_the_engines_gradient_for_the_clicked_example(
    browser: Any, site: str
) -> None:
    with screenshot_on_failure(browser, "explain"):
        open_page(
            browser,
            f"{site}?mode=network&dataset=moons&hidden=3,%203&descent=minibatch&batch=8"
            "&reg=l2&rate=0.01&optimizer=sgd&lr=0.2&seed=2",
        )
        wait_network(browser, "paused", what="the network built")
        step(browser)  # weights away from their start, biases not 0
        shown = page_network(browser)
        names = shown["parameters"]["names"]
        parameter = names.index("layers.0.neurons.1.w.0")  # x1 -> layer 1 neuron 2: 3 paths
        batch = shown["state"]["next_batch"]
        example = batch[1]
        click_parameter(browser, parameter)
        click_training_point(browser, example)
        got = explained(browser, parameter, example)
        assert got["title"].startswith("w: x₁ → layer 1 neuron 2")
        # In the test: that example's loss, backward, the weight's gradient.
        model = model_of(shown, shown["parameters"]["values"])
        point = shown["data"]["train"][example]
        model.zero_grad()
        example_loss(model, shown, point).backward()
        want = model.parameters()[parameter].grad
        assert close(got["grad"], want), (got["grad"], want)
        assert f"∂L/∂w = {got['grad']:.6g}" in got["text"] or "e" in f"{got['grad']:.6g}"
        into = [row["contribution"] for row in got["rows"] if row["into"]]
        assert into, got["rows"]
        assert all(row["mark"].startswith("into w") for row in got["rows"] if row["into"])
        assert close(math.fsum(into), want), (into, want)
        # Three paths meet at the first layer's neuron: the ledger marks the sums Σ.
        assert any("Σ" in row["mark"] for row in got["rows"])
        assert "This example's share: (1/8)" in got["share"]
        # The next update uses the batch's sum: the step's gradient for this weight.
        step(browser)
        after = page_network(browser)
        used = next(r for r in after["state"]["last_step"]["moved"] if r["index"] == parameter)
        assert close(used["grad"], got["total"]), (used["grad"], got["total"])
        # Keyboard: Tab to a bias and press Enter explains it.
        from selenium.webdriver.common.keys import Keys

        bias = names.index("layers.2.neurons.0.b")
        browser.find_element(
            "css selector", f"#network-view [data-parameter='{bias}'] .hit"
        ).send_keys(Keys.ENTER)
        assert explained(browser, bias, example)["title"].startswith("b: output")
        # The keyboard keeps its place on that bias while the network is redrawn.
        before = shown_update(browser)
        browser.execute_script("document.getElementById('step').click()")  # focus stays
        wait_for(lambda: shown_update(browser) == before + 1, "the redraw after a step")
        focused = browser.execute_script(
            "const e = document.activeElement; return e && e.dataset ? e.dataset.key : null"
        )
        assert focused == f"parameter-{bias}"


# -- the pictures are the engine's forward pass ------------------------------------------------


def test_the_neuron_pictures_and_the_output_are_the_engines_forward_pass(
    browser: Any, site: str
) -> None:
    with screenshot_on_failure(browser, "maps"):
        open_page(
            browser,
            f"{site}?mode=network&dataset=circles&hidden=3,%202&activation=tanh"
            "&features=x1,x2,x1*x2,sin(x2)&lr=0.1&seed=4",
        )
        wait_network(browser, "paused", what="the network built")
        for _ in range(3):
            step(browser)
        shown = page_network(browser)
        drawn = shown["drawn"]
        plot = browser.execute_script("return window.playgroundNetwork.plot()")
        assert (drawn["epoch"], drawn["update"]) == (3, 3)
        model = model_of(shown, shown["parameters"]["values"])
        xs, ys = drawn["neuron_plane"]["xs"], drawn["neuron_plane"]["ys"]
        images = browser.find_elements("css selector", "#network-view .neuron image")
        assert len(images) == len(drawn["inputs"]) + len(drawn["neurons"]) == 4 + 3 + 2 + 1
        samples = [(0, 0), (3, 11), (7, 7), (15, 2), (len(ys) - 1, len(xs) - 1)]
        for i, j in samples:
            x = features_of(shown, [xs[j], ys[i]])
            for feature, value in zip(drawn["inputs"], x, strict=True):
                assert close(feature["map"][i][j], value)
            activations: list[Any] = x
            for L, layer in enumerate(model.layers):
                outputs = layer(activations)
                activations = outputs if isinstance(outputs, list) else [outputs]
                for neuron in (n for n in drawn["neurons"] if n["layer"] == L):
                    want = activations[neuron["index"]].data
                    assert close(neuron["map"][i][j], want), (L, neuron["index"], i, j)
        # The data plot's output grid: the probability of class 1 at its cell centres.
        pxs, pys = plot["plane"]["xs"], plot["plane"]["ys"]
        for i, j in [(0, 0), (5, 9), (len(pys) - 1, len(pxs) // 2)]:
            out = model(features_of(shown, [pxs[j], pys[i]]))
            assert isinstance(out, Value)
            assert close(plot["output"][i][j], out.data)


def test_a_big_network_is_drawn_as_blocks_with_its_statistics(browser: Any, site: str) -> None:
    with screenshot_on_failure(browser, "blocks"):
        open_page(browser, f"{site}?mode=network&dataset=xor&hidden=16,%2016&seed=0")
        wait_network(browser, "paused", what="the network built")
        blocks = browser.find_elements("css selector", "#network-view .block")
        assert len(blocks) == 3  # 2 -> 16 -> 16 -> 1: 304 edges, past 160
        assert browser.find_elements("css selector", "#network-view .edge") == []
        shown = page_network(browser)
        names, values = shown["parameters"]["names"], shown["parameters"]["values"]
        weights = [
            v
            for n, v in zip(names, values, strict=True)
            if n.startswith("layers.1.") and ".w." in n
        ]
        stats = {
            key: float(blocks[1].get_attribute(f"data-{key}"))
            for key in ("count", "mean", "min", "max")
        }
        assert stats["count"] == len(weights) == 256
        assert close(stats["mean"], statistics.fmean(weights))
        assert (stats["min"], stats["max"]) == (min(weights), max(weights))
        for line in ("count 256", "mean ", "std ", "min ", "max ", "mean |grad| "):
            assert line in blocks[1].text, blocks[1].text
        # Expanding layer 2 draws its neurons and the 256 edges into it; the others stay blocks.
        blocks[1].click()
        wait_for(
            lambda: len(browser.find_elements("css selector", "#network-view .edge")) >= 256,
            "layer 2 drawn",
        )
        assert len(browser.find_elements("css selector", "#network-view .block")) == 1
        assert (
            len(browser.find_elements("css selector", "#network-view .neuron[data-layer='1']"))
            == 16
        )


# -- the URL holds every control and the selection ----------------------------------------------


def test_every_control_round_trips_through_the_url(browser: Any, site: str) -> None:
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select

    def choose(element_id: str, value: str) -> None:
        Select(by_id(browser, element_id)).select_by_value(value)

    def slide(element_id: str, presses: int) -> None:
        by_id(browser, element_id).send_keys(*([Keys.ARROW_RIGHT] * presses))

    with screenshot_on_failure(browser, "url_network"):
        open_page(browser, f"{site}?mode=network")
        wait_network(browser, "paused", what="the network built")
        choose("dataset", "circles")
        slide("noise", 7)  # circles starts at 5%
        slide("train", 20)  # 50% -> 70%
        by_id(browser, "feature-x1^2").click()
        by_id(browser, "feature-sin(x2)").click()
        commit(browser, "hidden", "5, 3")
        choose("activation", "sigmoid")
        commit(browser, "seed", "7")
        wait_network(browser, "paused", what="the network built")
        choose("optimizer", "rmsprop")
        commit(browser, "lr", "0.03")
        wait_for(
            lambda: by_id(browser, "net-status").text.startswith(
                "The learning rate changed: it applies from the next update (update 1); "
                "the weights are kept. epoch 0, update 0 "
            ),
            "the status to say the learning rate applies from the next update",
        )
        choose("reg", "l2")
        commit(browser, "rate", "0.004")
        choose("descent", "minibatch")
        commit(browser, "batch", "9")
        commit(browser, "epochs", "77")
        by_id(browser, "discretise").click()
        wait_network(browser, "paused")
        names = page_network(browser)["parameters"]["names"]
        parameter = names.index("layers.1.neurons.2.b")
        browser.find_element(
            "css selector", f"#network-view [data-parameter='{parameter}'] .hit"
        ).send_keys(Keys.ENTER)
        choose("example", "11")
        explained(browser, parameter, 11)
        want = {
            "dataset": "circles",
            "noise": "12",
            "train": "70",
            "hidden": "5, 3",
            "activation": "sigmoid",
            "seed": "7",
            "optimizer": "rmsprop",
            "lr": "0.03",
            "reg": "l2",
            "rate": "0.004",
            "descent": "minibatch",
            "batch": "9",
            "epochs": "77",
        }
        query = parse_qs(urlparse(browser.current_url).query)
        for key, value in want.items():
            assert query[key] == [value], (key, query.get(key))
        assert query["features"] == ["x1,x2,x1^2,sin(x2)"]
        assert query["discretise"] == ["1"]
        assert (query["param"], query["example"]) == ([str(parameter)], ["11"])
        link = browser.current_url
        browser.get("about:blank")
        open_page(browser, link)
        assert by_id(browser, "mode-network").is_displayed()
        for key, value in want.items():
            assert by_id(browser, key).get_attribute("value") == value, key
        ticked = [name for name in FEATURES if by_id(browser, f"feature-{name}").is_selected()]
        assert ticked == ["x1", "x2", "x1^2", "sin(x2)"]
        assert by_id(browser, "discretise").is_selected()
        # The page rebuilt the network from the seed and explains the same choice again.
        wait_network(browser, "paused", what="the network rebuilt")
        again = explained(browser, parameter, 11)
        assert again["title"].startswith("b: layer 2 neuron 3")
        config = page_network(browser)["state"]["config"]
        assert (config["optimizer"], config["batch_size"], config["noise"]) == ("rmsprop", 9, 12)
        assert "not the weights" in by_id(browser, "mode-network").text
        only_this_site(browser, site)


# -- a bad link is refused with what was wrong, and nothing in it runs ------------------------

BAD_LINKS = {
    "hostile data set": (
        "dataset=__import__('os').system('touch%20PWNED')",
        "data set \"__import__('os').system('touch PWNED')\" in the link is not one of its "
        "choices (xor, moons, circles, spirals, bumps)",
    ),
    "noise past 50": ("dataset=moons&noise=70", 'noise "70" in the link is not one of its choices'),
    "unknown feature": ("features=x1,x3", "input features: x3 in the link are not features"),
    "batch bigger than the set": (
        "dataset=moons&descent=minibatch&batch=1000",
        "batch_size 1000: the training set has 50 examples",
    ),
    "hidden text": ("hidden=__class__", "hidden layer width '__class__'"),
}


@pytest.mark.parametrize("name", list(BAD_LINKS))
def test_a_bad_link_is_refused_with_what_was_wrong(browser: Any, site: str, name: str) -> None:
    query, message = BAD_LINKS[name]
    with screenshot_on_failure(browser, "bad_link"):
        browser.get("about:blank")
        open_page(browser, f"{site}?mode=network&{query}")
        wait_network(browser, "error", what="the refusal")
        assert message in by_id(browser, "net-error").text
        assert by_id(browser, "net-status").text == "no network: fix the setting above"
        assert browser.find_elements("css selector", "#network-view svg") == []
        # Reset builds what the fields show (the link's bad value was not taken), or says
        # again what the trainer refuses.
        by_id(browser, "reset").click()
        wait_network(browser, "paused", "error", what="the reset")
        assert browser.execute_script("return document.body.dataset.restarts") is None


def test_a_bad_example_in_a_link_is_refused_by_the_explanation(browser: Any, site: str) -> None:
    with screenshot_on_failure(browser, "bad_example"):
        browser.get("about:blank")
        open_page(browser, f"{site}?mode=network&dataset=xor&param=0&example=9")
        wait_network(browser, "paused", what="the network built")
        wait_for(
            lambda: by_id(browser, "explain-title").text == "cannot explain that", "the refusal"
        )
        assert by_id(browser, "explain-grad").text == (
            "example 9: use a whole number from 0 to 3 (a training example)"
        )
        # Choosing an example on the page explains it.
        from selenium.webdriver.support.ui import Select

        Select(by_id(browser, "example")).select_by_value("2")
        assert explained(browser, 0, 2)["title"].startswith("w: x₁ → layer 1 neuron 1")


# -- the status, the pictures and the chart never disagree --------------------------------------


def test_status_pictures_and_chart_agree_after_play_pause_and_step(browser: Any, site: str) -> None:
    with screenshot_on_failure(browser, "agree"):
        open_page(
            browser,
            f"{site}?mode=network&dataset=moons&hidden=6&descent=minibatch&batch=15&epochs=100000",
        )
        wait_network(browser, "paused", what="the network built")
        assert agree(browser) == (0, 0)
        step(browser)  # mid-epoch: update 1 of 4
        assert agree(browser) == (0, 1)
        by_id(browser, "play").click()
        wait_for(lambda: "Training…" in by_id(browser, "net-status").text, "training")
        by_id(browser, "pause").click()
        wait_network(browser, "paused", what="the pause")
        epoch, update = agree(browser)
        assert epoch >= 1
        assert update == 4 * epoch  # play finished the epoch it was in, then whole epochs
        shown = page_network(browser)["state"]
        assert len(shown["losses"]) == len(shown["test_losses"]) == epoch + 1
        assert all(isinstance(v, float) for v in shown["losses"] + shown["test_losses"])
        text = by_id(browser, "loss-text").text
        assert text.startswith(f"After {epoch} epoch"), text
        assert ", test loss " in text, text
        step(browser)
        assert agree(browser) == (epoch, update + 1)
        only_this_site(browser, site)


# -- phone and desktop, with an explanation open ----------------------------------------------


@pytest.mark.parametrize("width", [390, 1280])
def test_network_mode_fits_a_phone_and_a_desktop(browser: Any, site: str, width: int) -> None:
    from selenium.webdriver.common.keys import Keys

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    try:
        emulate(browser, width)
        with screenshot_on_failure(browser, f"network_layout_{width}"):
            open_page(browser, f"{site}?mode=network&dataset=moons&hidden=6,%204&epochs=25&seed=1")
            wait_network(browser, "paused", what="the network built")
            by_id(browser, "play").click()
            wait_network(browser, "done", what="25 epochs")
            step(browser)  # the last update's report and its moved edges, in the picture
            names = page_network(browser)["parameters"]["names"]
            parameter = names.index("layers.1.neurons.0.w.2")
            browser.find_element(
                "css selector", f"#network-view [data-parameter='{parameter}'] .hit"
            ).send_keys(Keys.ENTER)
            wait_for(
                lambda: by_id(browser, "explain-grad").get_attribute("data-grad"), "the explanation"
            )
            wait_for(
                lambda: browser.find_elements("css selector", "#explain-drawing svg"),
                "the step-through drawing",
            )
            assert no_sideways_scroll(browser)
            assert (
                overflow(browser, "canvas, .drawing, .card, .controls fieldset, .transport") == []
            )
            layout = browser.execute_script(
                "const d = document.getElementById('data-card').getBoundingClientRect();"
                "const n = document.getElementById('network-card').getBoundingClientRect();"
                "return {side: n.left >= d.right - 1, stacked: n.top >= d.bottom - 1}"
            )
            # Side by side on a desktop (as TensorFlow Playground), stacked on a phone.
            assert layout == (
                {"side": False, "stacked": True}
                if width < 600
                else {"side": True, "stacked": False}
            )
            # The zoom buttons zoom the network view.
            view = by_id(browser, "network-view")
            before = browser.execute_script(
                "return arguments[0].querySelector('svg').getBoundingClientRect().width", view
            )
            browser.find_element(
                "css selector", '.zoom[data-for="network-view"] [data-zoom="in"]'
            ).click()
            wider = browser.execute_script(
                "return arguments[0].querySelector('svg').getBoundingClientRect().width", view
            )
            assert wider > before * 1.2
            browser.find_element(
                "css selector", '.zoom[data-for="network-view"] [data-zoom="fit"]'
            ).click()
            # The whole page, as a learner scrolls it.
            height = browser.execute_script("return document.documentElement.scrollHeight")
            browser.execute_cdp_cmd(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": min(height, 6000), "deviceScaleFactor": 1,
                 "mobile": width < 600},
            )  # fmt: skip
            browser.save_screenshot(str(SCREENSHOTS / f"network-{width}.png"))
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
