"""What-if: run a stream of simulated dossiers through the real engine.

See docs/simulation.md. ``Simulation(scenario, compiled, calendar).run()``
predicts on-time rates, queues and utilisation; :func:`compare` runs two
versions of a procedure on the same dossiers.
"""

from procflow.simulation.compare import Comparison, compare
from procflow.simulation.distributions import Distribution
from procflow.simulation.runner import Simulation, SimulationResult, save_results
from procflow.simulation.scenario import Scenario, read_scenario

__all__ = [
    "Comparison",
    "Distribution",
    "Scenario",
    "Simulation",
    "SimulationResult",
    "compare",
    "read_scenario",
    "save_results",
]
