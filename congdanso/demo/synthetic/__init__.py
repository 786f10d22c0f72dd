"""Deterministic synthetic resident lists for a commune, clean and slightly messy.

Pure Python (no Django).  Two consumers:

* the ``congdanso demo`` command builds a demo commune (~12,000 residents of xã Ea
  Yông) with :func:`.rows.generate_rows` + :func:`.files.write_xlsx` and loads the file
  through the normal import code;
* benchmarks stream 200,000 - 1,000,000 rows to XLSX or CSV.

Everything is a generator and deterministic from ``seed`` (one private
:class:`random.Random` per stream, never the global one).  Memory stays flat: uniqueness
of CCCD and phone numbers is guaranteed by permuting per-prefix counters (a small
Feistel network), not by remembering the numbers already issued.

Modules, each with one job: :mod:`.frequencies` (the weighted tables drawn from: ages,
Kinh and Ede names, where CCCDs come from, phone prefixes), :mod:`.residents` (the clean
truth about each generated resident), :mod:`.rows` (the rows of a commune's list, with the
messes clerks make) and :mod:`.files` (those rows as an XLSX laid out like a commune's
file, or a CSV).
"""
