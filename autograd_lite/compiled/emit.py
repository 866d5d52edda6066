"""Writing the program out as Python source (forward assignments, then one
accumulation per edge) and compiling it in a namespace with no builtins. Only
the op table's ``code`` strings, names we make and ``repr`` of finite floats
reach the source.
"""

from __future__ import annotations

import ast
import functools
import keyword
import operator
import re
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

from autograd_lite.autodiff import (
    graph_building,
)
from autograd_lite.compiled.program import _IDENTIFIER_TERM, _literal, _Program, _safe_name
from autograd_lite.compiled.tracing import _MAX_NESTING
from autograd_lite.ops import CODE_FUNCTIONS, OPS

# A node's gradient contributions are summed in one expression of at most this many
# terms, then carried on in the next statement (``g = g + ...``, the same order of
# addition): Python's compiler recurses once per term of a sum, and a node used by
# thousands of others (an input in every step of a chain) failed with RecursionError.
_MAX_TERMS = 64


#: A replay function with more statements than this is generated and compiled in
#: parts (see ``_in_parts``): Python's compiler holds a whole module's syntax tree
#: in memory, about 6 kB per node.
_PART_SIZE = 4_000


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*) ([-+]?=) ")


_NAME_IN_CODE = re.compile(r"(?<![\w.])[A-Za-z_][A-Za-z0-9_]*")


_NOT_NAMES = frozenset(CODE_FUNCTIONS) | frozenset(keyword.kwlist)


#: Errors the op table's forward and derivative code raise outside an op's
#: domain; at replay they send the call to the dynamic engine, whose message
#: names the op and its operands.
_DOMAIN_ERRORS = (ValueError, OverflowError, ZeroDivisionError)


# A derivative that can fail where its forward computation succeeded (sqrt at 0,
# x ** 0.5 at 0, log of the base of x ** y): the dynamic engine computes local
# derivatives during the forward pass and raises there, so the compiled forward
# pass computes these too, to raise at the same inputs.
_MAY_RAISE = re.compile(r"/|\b(?:pow|log|sqrt|exp)\(")


_MODES = {
    # mode: (gradients of the arguments, gradients of the live Values, one loop over rows)
    "forward": (False, False, False),
    "grad_args": (True, False, False),
    "grad_live": (False, True, False),
    "batch": (False, True, True),
    "forward_batch": (False, False, True),
    "readable": (True, True, False),
}


def _emit(program: _Program, mode: str, fn_name: str) -> str:
    """Python source for ``program`` in ``mode`` (see ``_MODES``)."""
    arg_grads, live_grads, batch = _MODES[mode]
    names, kinds, ops, parents = program.names, program.kinds, program.ops, program.parents
    n = len(names)
    wanted = [False] * n
    if arg_grads:
        for i in program.arg_nodes:
            if i is not None:
                wanted[i] = True
    if live_grads:
        for i in program.live_nodes:
            wanted[i] = True
    # needs[i]: a gradient must flow through node i (it leads to a wanted leaf)
    needs = wanted[:]
    for i in range(n):
        if kinds[i] == "op" and any(needs[p] for p in parents[i]):
            needs[i] = True

    live_names = [names[i] for i in program.live_nodes]
    signature = ", ".join(program.arg_names)
    body: list[tuple[str, str]] = []  # (code, comment)
    prologue: list[str] = []
    if batch:
        header = f"def {_safe_function_name(fn_name)}(_rows, _scale{', ' if live_names else ''}"
        header += ", ".join(live_names) + "):"
        for name in live_names if live_grads else ():
            prologue.append(f"g_{name} = 0.0")
        prologue.append("_total = 0.0")
        if program.aux:
            prologue.append("_aux = []")
        target = signature + ("," if len(program.arg_names) == 1 else "")
        prologue.append(f"for {target or '_'} in _rows:")
    else:
        every = [*program.arg_names, *live_names]
        header = f"def {_safe_function_name(fn_name)}({', '.join(every)}):"

    # forward
    body.append(("# forward: one line per node, in the order they are computed", ""))
    derivatives_emitted = set()
    consumers = [0] * n
    for i in range(n):
        if kinds[i] == "op":
            for p in parents[i]:
                consumers[p] += 1
    fast = mode != "readable"
    inlined = _inlinable(program, consumers) if fast else [False] * n
    operand = list(names)  # each node as its consumers write it: a name, or its expression
    for i in range(n):
        if kinds[i] != "op":
            continue
        op = OPS[ops[i]]
        forward = _code(op.code[0], program, i, operand)
        if inlined[i]:  # its value is used once, in the next expression, and never again
            operand[i] = f"({forward})"
        else:
            body.append((f"{names[i]} = {forward}", op.name))
        computes_backward = needs[i] and (arg_grads or live_grads)
        for k, template in enumerate(op.code[1:]):
            if not computes_backward and _MAY_RAISE.search(template):
                # the dynamic engine computes this during its forward pass and raises there
                body.append((f"_ = {_code(template, program, i)}", f"{op.name}: domain check"))
            elif computes_backward and needs[parents[i][k]]:
                derivatives_emitted.add((i, k))
    if batch:
        body.append((f"_total += {names[program.root]}", ""))
        if program.aux:
            aux = ", ".join(names[i] for i in program.aux)
            body.append((f"_aux.append(({aux},))", ""))

    # backward
    assigned = set(program.live_nodes) if batch else set()
    # The replay functions fold copies away; ``source`` keeps one line per edge.
    grad_name: dict[int, str] = {}  # a node whose gradient lives in another's variable
    if arg_grads or live_grads:
        body.append(("# backward: one line per edge, from the output back to the inputs", ""))
        root = program.root
        seed = "_scale" if batch else "1.0"
        if needs[root]:
            if root in assigned:
                body.append((f"g_{names[root]} += {seed}", "d(output)/d(output)"))
            else:
                body.append((f"g_{names[root]} = {seed}", "d(output)/d(output)"))
                assigned.add(root)
        # Replay functions gather a node's contributions and write its gradient in one
        # expression once the last one is known, in the same order of addition as the
        # one line per edge that ``source`` shows (so the numbers are the same).
        pending: dict[int, list[tuple[str, str]]] = {}

        def settle(p: int) -> None:
            terms = pending.pop(p, None)
            if not terms:
                return
            if len(terms) == 1 and terms[0][1] == "+" and _IDENTIFIER_TERM.fullmatch(terms[0][0]):
                grad_name[p] = terms[0][0]  # a copy: use the upstream variable itself
            else:
                target = f"g_{names[p]}"
                total = ("-" if terms[0][1] == "-" else "") + terms[0][0]
                for start in range(1, len(terms), _MAX_TERMS):
                    total += "".join(
                        f" {sign} {term}" for term, sign in terms[start : start + _MAX_TERMS]
                    )
                    if start + _MAX_TERMS < len(terms):  # carried on in the next statement
                        body.append((f"{target} = {total}", ""))
                        total = target
                body.append((f"{target} = {total}", ""))
            assigned.add(p)

        for i in program.backward_order:
            if not needs[i] or kinds[i] != "op":
                continue
            if fast:
                settle(i)
            op = OPS[ops[i]]
            for k, p in enumerate(parents[i]):
                if not needs[p] or (i, k) not in derivatives_emitted:
                    continue
                local = op.code[1 + k]
                upstream = grad_name.get(i, f"g_{names[i]}")
                if local == "1.0":
                    term, sign = upstream, "+"
                elif local == "-1.0":
                    term, sign = upstream, "-"
                elif fast and local.startswith("1.0 if ") and local.endswith(" else 0.0"):
                    # a 0/1 slope (relu): pass the upstream gradient or nothing
                    condition = _code(local[len("1.0 if ") : -len(" else 0.0")], program, i)
                    term, sign = f"({upstream} if {condition} else 0.0)", "+"
                else:
                    term, sign = f"{upstream} * {_atom(_code(local, program, i))}", "+"
                if fast and p not in assigned:  # not an accumulator of backward_batch
                    pending.setdefault(p, []).append((term, sign))
                    continue
                target = f"g_{names[p]}"
                if p in assigned:
                    line = f"{target} {sign}= {term}"
                else:
                    line = f"{target} = {'-' if sign == '-' else ''}{term}"
                    assigned.add(p)
                body.append((line, _edge_comment(op, k)))
        for p in list(pending):  # leaves: the arguments and params of a single call
            settle(p)

    # the end
    def grad_of(i: int | None) -> str:
        if i is None or i not in assigned:
            return "0.0"
        return grad_name.get(i, f"g_{names[i]}")

    epilogue: list[str] = []
    result = names[program.root]
    outputs = [result]
    if arg_grads:
        outputs.append(_tuple(grad_of(i) for i in program.arg_nodes))
    if live_grads and (program.live_nodes or mode != "readable"):
        outputs.append(_tuple(grad_of(i) for i in program.live_nodes))
    if batch:
        grads = _tuple(grad_of(i) for i in program.live_nodes) if live_grads else "()"
        outputs = ["_total", grads]
        if program.aux:
            outputs.append("_aux")
    elif program.aux:
        outputs.append(_tuple(names[i] for i in program.aux))
    epilogue.append("return " + ", ".join(outputs) if len(outputs) > 1 else f"return {result}")
    if program.aux and mode == "readable":
        epilogue[-1] += "  # the output, its gradients, then aux"

    statements = [code for code, _ in body if not code.startswith("#")]
    if mode != "readable" and len(statements) > _PART_SIZE:
        return "\n\n\n".join(_in_parts(header, prologue, statements, epilogue, batch))
    lines = [header]
    indent = "    "
    for line in prologue:
        lines.append(indent + line)
    inner = indent * 2 if batch else indent
    width = min(max((len(code) for code, _ in body if not code.startswith("#")), default=0), 44)
    for code, comment in body:
        if comment:
            lines.append(f"{inner}{code.ljust(width)}  # {comment}")
        else:
            lines.append(inner + code)
    for line in epilogue:
        lines.append(indent + line)
    return "\n".join(lines)


def _in_parts(
    header: str, prologue: list[str], statements: list[str], epilogue: list[str], batch: bool
) -> list[str]:
    """A replay function too long to compile in one piece, as parts of at most
    ``_PART_SIZE`` statements, each its own function, and a main function that calls
    them in order.

    Python compiles a module's whole syntax tree at once, and its memory grows with
    it: one function of 200,000 nodes took 1.26 GB to compile, so a smaller machine
    swapped (the compile time per node then grew several times over). Each part is
    compiled on its own (``_compile``), so the memory is that of one part. Within a
    part, values are local variables as before; a value that another part (or the
    return statement) reads travels through one shared list, ``_s``: stored by the
    part that computes it, loaded by the part that reads it. The statements and
    their order are unchanged, so are the numbers.

    Returns the main function's source first, then each part's.
    """
    indent = "    "
    chunks = [statements[k : k + _PART_SIZE] for k in range(0, len(statements), _PART_SIZE)]
    # The names each part reads before it defines them, and the names it defines.
    imports: list[dict[str, None]] = []
    defines: list[dict[str, None]] = []
    assignment, names_in, not_names = _ASSIGNMENT.match, _NAME_IN_CODE.findall, _NOT_NAMES
    for chunk in chunks:  # the hot loop of a big compile: one pass, few calls
        read: dict[str, None] = {}
        defined: dict[str, None] = {}
        for code in chunk:
            target = assignment(code)
            if target is None:
                names = names_in(code)
            else:
                names = names_in(code, target.end())
                if target.group(2) != "=":
                    names.insert(0, target.group(1))  # g += ... reads g first
            for name in names:
                if name not in defined and name not in not_names:
                    read[name] = None
            if target is not None:
                defined[target.group(1)] = None
        imports.append(read)
        defines.append(defined)
    loop = prologue[-1] if batch else ""
    setup = prologue[:-1] if batch else prologue
    # What main defines: its parameters, the accumulators, a batch loop's row names.
    parameters = header[header.index("(") + 1 : header.rindex(")")]
    row_names = _names_read(loop[len("for ") : loop.rindex(" in ")]) if batch else []
    own = [name.strip() for name in parameters.split(",") if name.strip()]
    own += [m.group(1) for line in setup if (m := _ASSIGNMENT.match(line))]
    in_epilogue = [name for line in epilogue for name in _names_read(line[len("return") :])]
    computed = {name for defined in defines for name in defined}
    # Every name a part reads is defined before it runs: in main, or by an earlier part.
    available = set(own) | set(row_names)
    for k, read in enumerate(imports):
        missing = [name for name in read if name not in available]
        assert not missing, f"jit: part {k} reads {missing} before they are computed"
        available |= set(defines[k])
    after = {name for name in in_epilogue if name in computed}
    if batch:  # an accumulator is read again by the next row's parts
        after |= {name for name in own if name in computed}
    exports: list[list[str]] = [[] for _ in chunks]  # what part k stores for later
    for k in range(len(chunks) - 1, -1, -1):
        exports[k] = [name for name in defines[k] if name in after]
        after |= set(imports[k])
    # A slot per shared name, numbered in the order they are stored, so that a part
    # moves its values in a few slices rather than one item at a time.
    slots: dict[str, int] = {}
    for name in [*own, *row_names]:
        if name in after:
            slots.setdefault(name, len(slots))
    for names in exports:
        for name in names:
            slots.setdefault(name, len(slots))
    moves = functools.partial(_moves, slots)
    main = [header, f"{indent}_s = [0.0] * {len(slots)}"]
    main += [indent + line for line in setup]
    main += moves([name for name in own if name in slots], indent, load=False)
    inner = indent
    if batch:
        main.append(indent + loop)
        inner = indent * 2
        main += moves([name for name in row_names if name in slots], inner, load=False)
    main += [f"{inner}_part{k}(_s)" for k in range(len(chunks))]
    main += moves([name for name in dict.fromkeys(in_epilogue) if name in computed], indent)
    main += [indent + line for line in epilogue]
    sources = ["\n".join(main)]
    for k, chunk in enumerate(chunks):
        lines = [f"def _part{k}(_s):"]
        lines += moves(list(imports[k]), indent)
        lines += [indent + code for code in chunk]
        lines += moves(exports[k], indent, load=False)
        sources.append("\n".join(lines))
    return sources


def _moves(slots: dict[str, int], names: list[str], indent: str, load: bool = True) -> list[str]:
    """Statements that load ``names`` from their slots of ``_s`` (or store them):
    runs of consecutive slots move as one slice (``a, b, c = _s[4:7]``)."""
    ordered = sorted(names, key=slots.__getitem__)
    runs: list[list[str]] = []
    for name in ordered:
        if runs and slots[runs[-1][-1]] + 1 == slots[name] and len(runs[-1]) < 32:
            runs[-1].append(name)
        else:
            runs.append([name])
    lines = []
    for run in runs:
        first = slots[run[0]]
        where = f"_s[{first}]" if len(run) == 1 else f"_s[{first}:{first + len(run)}]"
        values = ", ".join(run)
        lines.append(f"{indent}{values} = {where}" if load else f"{indent}{where} = {values}")
    return lines


def _names_read(code: str) -> list[str]:
    """The variable names an expression of ours reads (not functions, keywords, or
    the letters inside a number such as ``1e-05``), in order, each once."""
    return [name for name in dict.fromkeys(_NAME_IN_CODE.findall(code)) if name not in _NOT_NAMES]


def _inlinable(program: _Program, consumers: list[int]) -> list[bool]:
    """Nodes whose value the replay needs only inside their one consumer's expression.

    Such a node (a neuron's products and partial sums) is written into that
    expression instead of a variable of its own: Python evaluates it in the same
    order, so the numbers do not change, and the loads and stores go. A node is
    kept in a variable when a local derivative reads its value (its own ``{out}``,
    or its consumer's rule for that operand), when it is the output or an aux
    value, or when inlining would nest expressions too deeply for the compiler.
    """
    kinds, ops, parents = program.kinds, program.ops, program.parents
    n = len(kinds)
    kept = [kinds[i] != "op" or consumers[i] != 1 for i in range(n)]
    kept[program.root] = True
    for i in program.aux:
        kept[i] = True
    for i in range(n):
        if kinds[i] != "op":
            continue
        rules = OPS[ops[i]].code[1:]
        if any("{out}" in rule for rule in rules):
            kept[i] = True
        for k, p in enumerate(parents[i]):
            letter = "{x}" if k == 0 else "{y}"
            if any(letter in rule for rule in rules) or _MAY_RAISE.search(" ".join(rules)):
                kept[p] = True
    depth = [0] * n
    inlined = [False] * n
    for i in range(n):
        if kinds[i] != "op":
            continue
        depth[i] = 1 + max((depth[p] for p in parents[i] if inlined[p]), default=0)
        inlined[i] = not kept[i] and depth[i] <= _MAX_NESTING
    return inlined


def _code(template: str, program: _Program, i: int, operand: list[str] | None = None) -> str:
    """Fill an op's code template with the names (or expressions) of node i and its operands."""
    names = program.names
    written = operand if operand is not None else names
    operands = [written[p] for p in program.parents[i]] + ["", ""]
    attr = program.attrs[i]
    if attr is not None:  # fold what the constant decides: x ** 2 reads 2.0 * pow(x, 1.0)
        template = _with_constant(template, attr)
    return template.format(x=operands[0], y=operands[1], out=names[i])


@functools.cache
def _with_constant(template: str, c: float) -> str:
    """``template`` with ``{c}`` filled and its constant parts computed.

    Python computes the folded parts exactly as it would at run time (the same
    float operations, done once), so the numbers do not change.
    """
    placeholders = {"x": "_x_", "y": "_y_", "out": "_out_"}
    tree = ast.parse(template.format(c=_literal(c), **placeholders), mode="eval")
    folded = ast.unparse(_Folder().visit(tree))
    for key, placeholder in placeholders.items():
        folded = folded.replace(placeholder, "{" + key + "}")
    return folded


class _Folder(ast.NodeTransformer):
    """Computes constant arithmetic, comparisons and conditionals in our own templates."""

    _BINARY: ClassVar[dict[type[ast.operator], Callable[[float, float], float]]] = {
        ast.Add: operator.add,
        ast.Sub: operator.sub,
        ast.Mult: operator.mul,
    }

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        self.generic_visit(node)
        compute = self._BINARY.get(type(node.op))
        left, right = _number_in(node.left), _number_in(node.right)
        if compute and left is not None and right is not None:
            return ast.Constant(compute(left, right))
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.AST:
        self.generic_visit(node)
        operand = _number_in(node.operand)
        if isinstance(node.op, ast.USub) and operand is not None:
            return ast.Constant(-operand)
        return node

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if (
            len(node.ops) == 1
            and isinstance(node.ops[0], ast.Eq)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.comparators[0], ast.Constant)
        ):
            return ast.Constant(node.left.value == node.comparators[0].value)
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.AST:
        self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        return node


def _number_in(node: ast.AST) -> float | None:
    """The float a node of our templates holds, if it is a constant."""
    if isinstance(node, ast.Constant) and isinstance(node.value, float):
        return node.value
    return None


def _atom(code: str) -> str:
    """``code`` ready to multiply: a name or a literal as it is, else in parentheses."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\([^()]*\))?|\(?-?[0-9.e+-]+\)?", code):
        return code
    return f"({code})"


def _tuple(items: Iterable[str]) -> str:
    listed = list(items)
    return f"({listed[0]},)" if len(listed) == 1 else f"({', '.join(listed)})"


@functools.cache
def _edge_comment(op: Any, k: int) -> str:
    operand = "xy"[k]
    return f"{op.name}: d({op.describe()})/d{operand} = {op.formulas[k]}"


def _safe_function_name(name: str) -> str:
    safe = _safe_name(name, set())
    return safe if safe is not None else "f"


def _compile(program: _Program, mode: str, fn_name: str) -> Callable[..., Any]:
    """Generate, compile and load the function for ``mode``.

    Inside ``graph_building()``: generating makes a few objects per node, and with
    the cycle collector on, its full collections re-scan the whole program every
    time, which made the cost per node grow with the graph (0.056 s per 1,000 nodes
    at 10,000, 0.062 at 200,000; paused, 0.050 at both).
    """
    with graph_building():
        source = _emit(program, mode, fn_name)
        namespace: dict[str, Any] = {"__builtins__": {}, **CODE_FUNCTIONS}
        # Safe: ``source`` is made from the op table's code strings, our own names and
        # repr() of finite floats, never from user text (see the module docstring).
        # A long one is in parts (functions separated by two blank lines, which no
        # function of ours contains), compiled one by one to bound the memory.
        for piece in source.split("\n\n\n"):
            exec(compile(piece, f"<autograd_lite.jit {mode}>", "exec"), namespace)
    runner: Callable[..., Any] = namespace[_safe_function_name(fn_name)]
    return runner
