"""Development kit: the demo data loaders and the local stand-ins for the social platforms.

Nothing here runs in production. The production image does not ship this package (see
.dockerignore), and settings install it only when it can be imported, so `make run`, the test
suite and the benchmarks have it while a deployed site cannot load demo data or fake platforms.
"""
