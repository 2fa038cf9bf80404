"""The task backend of the test suite: each task runs at once, as the immediate backend does,
but as a worker runs it: outside any tenant scope, whatever scope the code that queued it was
in. A task that forgets `@tenant_task` then fails here as it would in production."""

from __future__ import annotations

from django_scopes.state import state as scope_state
from django_tasks.backends.immediate import ImmediateBackend


class WorkerLikeImmediateBackend(ImmediateBackend):
    def _execute_task(self, task_result) -> None:
        token = scope_state.set({})
        try:
            super()._execute_task(task_result)
        finally:
            scope_state.reset(token)
