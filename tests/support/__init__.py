"""What the tests share: fakes, harnesses, fixtures and helpers, imported as
``from tests.support.<module> import ...`` (never from another test module).

- ``fixtures``: ``world``/``person``/``set_up`` (mark ``dialogue`` for the whole dialogue),
  ``sleeps``/``outbox``/``dispatcher`` (loaded by ``tests/conftest.py``, with the
  databases, ``clock``, ``cipher`` and ``conversations``).
- ``flow_harness``, ``checkin_harness``: the pure flows in memory, without a database.
- ``outcomes``: reading an ``Outcome`` (texts, labels, buttons).
- ``chat``: one person talking to the real runner; ``teams``, ``privacy``: their tests'
  people, seeded rows and checks; ``terminal``: the terminal chat's typed interview.
- ``clock``: a fake clock, recorded sleeps, virtual monotonic time; ``outbox``: the
  fake sender of the jobs; ``dispatch``: the check-in dispatcher's; ``schedule``: the
  schedule rules'.
- ``fake_telegram``: a fake Bot API server; ``telegram``: the real Application against
  it; ``process``, ``webhook``, ``engine``: bots as processes, webhooks, outages.
"""
