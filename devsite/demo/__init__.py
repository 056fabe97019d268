"""The demo of `make run`: Copenhagen's idea competition for Christiansholm and Harstad's debate
on a town-centre tunnel, with one account per role. Each module adds one app's part, in the order
of the apps' layers (`manage.py load_demo`)."""
