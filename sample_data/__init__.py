"""Synthetic offices with ground truth, and the simulated banks of both services.

The project measures itself on offices nobody owns: :func:`generate_office`
draws one (the master, institutions and payments an office exports, plus
every person's true attributes, addresses and accounts), and a
:class:`BankWorld` built from it answers the office's request files the way
the DAIS and pipitLINQ banks do, difficulties included, remembering the
truth of every account it returned. ``inquiry demo`` (the README's quick
start) runs on them, so the package ships with the product.

The public names are the ones below; the modules behind them are private
(``_``-prefixed), one concern each, in the order the data flows:

- the office: ``_names`` (population name and town tables), ``_people``
  (persons, names, marriages, addresses), ``_master`` (the master's
  notations), ``_accounts`` (institutions and true accounts), ``_payments``,
  ``_office`` (:class:`Office`, :func:`generate_office`);
- the banks: ``_bank_view`` (the holder as each bank registered them; the
  simulator's rates), ``_strangers`` (同名異人), ``_basic`` (basic answers,
  :func:`sample_requests`), ``_history`` (transactions), ``_banks``
  (:class:`BankWorld`);
- shared: ``_draws`` (seeded and hashed randomness), ``_render`` (notations:
  how a value is written), ``_files`` (everything read or written on disk).

``python -m sample_data.make_office`` writes an office of any size to a folder.

>>> office = generate_office(50, seed=1)
>>> world = BankWorld.from_office(office, seed=1)
>>> answers = world.answer_frame(sample_requests(office, "dais"), "dais")
>>> set(answers["answer"]) <= {"found", "none", "unable"}, set(world.truth["kind"]) <= set(TRUTH_KINDS)
(True, True)
"""

from sample_data._bank_view import TRUTH_KINDS
from sample_data._banks import BankWorld
from sample_data._basic import sample_requests
from sample_data._master import MASTER_COLUMNS
from sample_data._office import Office, generate_office

__all__ = ["Office", "generate_office", "MASTER_COLUMNS", "BankWorld", "sample_requests", "TRUTH_KINDS"]
