from tests.returns.conftest import detail, flow, new_case, registry  # noqa: F401  the return case's flow helpers
