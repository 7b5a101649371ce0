"""The rules engine's pure core. `evaluate_workflow` is its one entry point."""

from policies.engine.evaluate import evaluate_workflow
from policies.engine.workflow import WorkflowError

__all__ = ["WorkflowError", "evaluate_workflow"]
