"""The demo's logins, printed by `manage.py load_demo` (and so by `make run`)."""

DEMO_PASSWORD = "demo-wachtwoord"
DEMO_TABLET_PIN = "2580"  # medewerker@demo.test's PIN for the group tablet
DEMO_LOGINS = [
    ("ouder@demo.test", "guardian of Noor (baby, Rupsjes) and Daan (BSO De Boomhut, leaves at the end of next month)"),
    ("ouder2@demo.test", "guardian of Sem (Rupsjes)"),
    ("nieuw@demo.test", "guardian of Lotte, who starts on Vlinders in four weeks"),
    ("medewerker@demo.test", "group staff of Rupsjes and Vlinders (PIN for the group tablet: 2580)"),
    ("planner@demo.test", "planner of location De Speeltuin"),
    ("beheer@demo.test", "organisation admin (sets up two-step login at first login)"),
]
