from tests.hot.backends import (  # noqa: F401
    hot_api,
    hot_apps,
    hot_client,
    hot_engines,
    hot_other_api,
    hot_runtime,
)
