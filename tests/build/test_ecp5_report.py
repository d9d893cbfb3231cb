#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""test_ecp5_report: scripts/ecp5_report.py finds the TCP engine's slots in a yosys log the way
the design ends up, from log excerpts shaped like Debian yosys 0.23's: a board built with
TCP_SLOTS=0 whose default-parameter copy of toe_tcp (SLOTS=8) yosys derived and then removed
has no engine; a toe_tcp that was derived and flattened in is the engine."""
import os
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts'))
import ecp5_report as er  # noqa: E402

failures = 0


def check(name, log, want):
    global failures
    with tempfile.NamedTemporaryFile('w', suffix='.log', delete=False) as f:
        f.write(log)
    got = er.tcp_slots(f.name)
    os.unlink(f.name)
    if got == want:
        print('PASS test_ecp5_report_' + name)
    else:
        failures += 1
        print('FAIL test_ecp5_report_%s: got %r slots, want %r' % (name, got, want))


DERIVE = '''41.3.2. Executing AST frontend in derive mode using pre-parsed AST for module `\\toe_tcp'.
Parameter \\SLOTS = 8
Parameter \\BUF_LOG2 = 13
Generating RTLIL representation for module `$paramod$f7ae\\toe_tcp'.
'''
check('slow_path_board', 'Parameter \\TCP_SLOTS = 0\n' + DERIVE +
      "Removing unused module `$paramod$f7ae\\toe_tcp'.\nRemoving unused module `\\toe_tcp'.\n", 0)
check('engine_board', DERIVE + "Removing unused module `\\toe_tcp'.\n"
      "Deleting now unused module $paramod$f7ae\\toe_tcp.\n", 8)
check('no_tcp_at_all', "Parameter \\TCP_SLOTS = 0\nRemoving unused module `\\toe_link'.\n", 0)
check('empty_log', '', 0)
print('test_ecp5_report: %s' % ('%d failed' % failures if failures else 'all passed'))
sys.exit(1 if failures else 0)
