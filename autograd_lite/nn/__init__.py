"""Neural-network building blocks on scalar Values: Module, Neuron, Layer,
Sequential, the activation modules (ReLU, Tanh, Sigmoid), MLP, and the remedies
for training trouble: Dropout, BatchNorm, Residual.

The classes follow micrograd's, so code and weights move between the two: a
``Neuron`` computes ``activation(b + w0*x0 + w1*x1 + ...)`` in exactly that
order (so losses agree with micrograd's to the last bit when the weights are
copied), and ``parameters()`` lists layer by layer, neuron by neuron, each
neuron's weights and then its bias.

Beyond micrograd: activations per layer, Xavier/He initialisation, seeds, named
parameters, setting weights by hand (``load_weights``), JSON checkpoints
written whole or not at all and validated before anything is changed, from
which ``nn.load`` (or ``MLP.load``) rebuilds the model, ``trace`` for worked
examples, and a
bridge to ``torch.nn.Sequential`` (``torch_bridge.py``) for users who outgrow a
scalar engine.

Every module has a training mode (the default) and an evaluation mode
(``model.train()`` / ``model.eval()``), as in PyTorch: ``Dropout`` zeroes
inputs only while training, and ``BatchNorm`` normalises with the batch's own
statistics while training and with running averages in evaluation.

Batches: a module is called on one sample (a list of numbers or Values);
``forward_batch(X)`` runs a whole batch (a list of samples) at once. Only batch
norm needs the whole batch (it normalises each feature across it); every other
module's ``forward_batch`` is just one call per sample, and ``fit`` feeds each
mini-batch through ``forward_batch``.

Networks compose, as in ``torch.nn``: ``Sequential(Layer(2, 8, "linear"),
BatchNorm(8), ReLU(), Dropout(0.1), Layer(8, 1, "linear"))`` is a network whose
parameters, buffers, modes, batches and checkpoints come from its parts. An
``MLP`` is such a composition, built from three arguments, which is all a tiny
network needs: ``MLP(2, [8, 8, 1], batch_norm=True, dropout=0.1, residual=True)``
builds each hidden block as ``Layer -> BatchNorm -> activation -> Dropout``
(``MLP.net``), wrapped in ``Residual`` (``x + block(x)``) where the block's
input and output widths agree.

The package holds one kind of thing per file, as ``torch.nn`` does: ``module``
(the ``Module`` base, its state and checkpoint files), ``layers`` (``Neuron``,
``Layer``), ``containers`` (``Sequential``), ``activations``, ``regularisation``
(``Dropout``, ``BatchNorm``), ``residual``, ``mlp``, ``tracing`` (walks through
plain layers for worked examples), ``convert`` (to and from PyTorch) and
``rebuild`` (``nn.load``). It imports the engine (``value``, ``autodiff``,
``ops``), the compiled path's tracing flag and the PyTorch bridge, nothing above.
"""

from autograd_lite._helpers import shown_as_part_of
from autograd_lite.nn._checks import ACTIVATIONS, INITS, Activation, Init

# Public names outside __all__, at the paths they always had.
from autograd_lite.nn._checks import Seed as Seed
from autograd_lite.nn.activations import Pointwise, ReLU, Sigmoid, Tanh
from autograd_lite.nn.containers import Sequential
from autograd_lite.nn.layers import Layer, Neuron
from autograd_lite.nn.mlp import MLP
from autograd_lite.nn.module import Module
from autograd_lite.nn.rebuild import load
from autograd_lite.nn.regularisation import BatchNorm, Dropout
from autograd_lite.nn.residual import Residual
from autograd_lite.nn.tracing import LayerTrace

__all__ = [
    "ACTIVATIONS",
    "INITS",
    "MLP",
    "Activation",
    "BatchNorm",
    "Dropout",
    "Init",
    "Layer",
    "LayerTrace",
    "Module",
    "Neuron",
    "Pointwise",
    "ReLU",
    "Residual",
    "Sequential",
    "Sigmoid",
    "Tanh",
    "load",
]

shown_as_part_of(__name__, globals(), __all__)
