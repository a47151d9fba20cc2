"""Host test of the bench's own parsing and table code (part of make test);
the measurements themselves are never timed tests."""
import json
import os
import subprocess
import sys
import tempfile
import unittest

from guest_results import lwk_entries, interrupts_between, parse_interrupts, parse_stat, busy_between, proxy_rates, medians_by_key, highest_by_key
from noise_stats import FWQ, Detour, percentile
from table import Goal, Row, render

HERE = os.path.dirname(os.path.abspath(__file__))

INTERRUPTS_BEFORE = """           CPU0       CPU1       CPU2       CPU3
  0:        318          0          0          0   IO-APIC   2-edge      timer
LOC:       6302       2657       5485       3372   Local timer interrupts
RES:         47         56         89         64   Rescheduling interrupts
ERR:          0
"""
INTERRUPTS_AFTER = """           CPU0       CPU1       CPU2       CPU3
  0:        318          0          0          0   IO-APIC   2-edge      timer
LOC:       6379       2832       5587       4158   Local timer interrupts
RES:         49         59         91         67   Rescheduling interrupts
ERR:          0
"""


def fwq_text(quanta):
    return "# ready\n# fwq quanta %d units 100 ns_per_tick 1.0\n" % len(quanta) + "".join(f"{q}\n" for q in quanta)


class NoiseStatsTests(unittest.TestCase):
    def test_fwq_loss_is_what_exceeds_the_shortest_quantum(self):
        stats = FWQ.parse(fwq_text([1000] * 98 + [2000, 3000])).stats()
        self.assertEqual(stats["min_us"], 1.0)
        self.assertEqual(stats["median_us"], 1.0)
        self.assertEqual(stats["max_us"], 3.0)
        self.assertAlmostEqual(stats["lost_percent"], 100 * 3000 / 103000)

    def test_fwq_refuses_a_truncated_run(self):
        text = fwq_text([1000, 1000]).replace("quanta 2", "quanta 3")
        with self.assertRaises(ValueError):
            FWQ.parse(text)

    def test_fwq_timeline_starts_each_quantum_where_the_last_ended(self):
        self.assertEqual(FWQ([1000, 2000, 1000]).timeline(), [(0.0, 1.0), (1e-6, 2.0), (3e-6, 1.0)])

    def test_detour_rates_and_loss(self):
        text = "# detour seconds 2.000 step_ns 80.0 threshold_ns 1000.0 loops 100 detours 3\n0 5000\n10 20000\n30 5000\n"
        stats = Detour.parse(text).stats()
        self.assertEqual(stats["per_second"], 1.5)
        self.assertEqual(stats["max_us"], 20.0)
        self.assertAlmostEqual(stats["lost_percent"], 100 * 30000 / 2e9)

    def test_percentile_by_nearest_rank(self):
        values = list(range(1, 1001))
        self.assertEqual(percentile(values, 0.5), 500)
        self.assertEqual(percentile(values, 0.99), 990)
        self.assertEqual(percentile(values, 0.999), 999)


class GuestResultsTests(unittest.TestCase):
    def test_interrupts_of_one_cpu_between_snapshots(self):
        delta = interrupts_between(parse_interrupts(INTERRUPTS_BEFORE), parse_interrupts(INTERRUPTS_AFTER), "CPU3")
        self.assertEqual(delta, {"LOC": 786, "RES": 3})

    def test_a_cpu_gone_offline_counts_nothing(self):
        after = "           CPU0       CPU1\nLOC:       6379       2832   Local timer interrupts\n"
        self.assertEqual(interrupts_between(parse_interrupts(INTERRUPTS_BEFORE), parse_interrupts(after), "CPU3"), {})

    def test_busy_share_leaves_idle_and_iowait_out(self):
        before = parse_stat("cpu  9 9 9 9\ncpu0 10 0 10 80 0 0 0 0 0 0\n")
        after = parse_stat("cpu  9 9 9 9\ncpu0 20 0 20 150 10 0 0 0 0 0\n")
        self.assertAlmostEqual(busy_between(before, after)["cpu0"], 20 / 100)

    def test_proxy_rates_between_first_and_last_sample(self):
        rates = proxy_rates([(1_000_000, 10, 1), (51_000_000, 1610, 3)], 5.0)
        self.assertAlmostEqual(rates["cpu_percent"], 1.0)
        self.assertEqual(rates["wakeups_per_second"], 320)
        self.assertIsNone(proxy_rates([(1, 1, 1)], 5.0))

    def test_proxy_rates_use_the_samples_own_timestamps(self):
        rates = proxy_rates([(0, 0, 0, 1_000_000_000), (100_000_000, 0, 0, 3_000_000_000)], 1.0)
        self.assertAlmostEqual(rates["cpu_percent"], 5.0)

    def test_medians_by_key(self):
        self.assertEqual(medians_by_key("lwk_startup_ns 5\nlwk_startup_ns 1\nlwk_startup_ns 3\nx 2 MB/s\n"),
                         {"lwk_startup_ns": 3, "x": 2})

    def test_highest_by_key(self):
        self.assertEqual(highest_by_key("linux_triad 900 MB/s\nlinux_triad 1100 MB/s\nlwk_triad 1000 MB/s\n"),
                         {"linux_triad": 1100, "lwk_triad": 1000})


class LWKEntriesTests(unittest.TestCase):
    LOG = ("[  1]: process 170 exited (status 0x0000), freed 8248 KiB, kernel heap 7152 bytes in use; while it ran: "
           "0 timer, 3 IKC, 2 other interrupts, 1 page faults, 0 other exceptions, 6 local and 4 offloaded system calls\n"
           "[  1]: process 171 exited (status 0x0000), freed 8248 KiB, kernel heap 7152 bytes in use\n")

    def test_the_end_line_of_that_process(self):
        counts = lwk_entries(self.LOG, "170")
        self.assertEqual((counts["timer"], counts["IKC"], counts["other interrupts"], counts["page faults"]), (0, 3, 2, 1))
        self.assertEqual((counts["local"], counts["offloaded system calls"]), (6, 4))

    def test_no_counts_without_the_line(self):
        self.assertIsNone(lwk_entries(self.LOG, "171"))
        self.assertIsNone(lwk_entries(self.LOG, "17"))


class TableTests(unittest.TestCase):
    def test_goals(self):
        self.assertTrue(Goal("ratio_at_most", 3).met(29, 10, None))
        self.assertFalse(Goal("ratio_at_most", 3).met(31, 10, None))
        self.assertTrue(Goal("ratio_at_least", 1).met(10, 10, None))
        self.assertTrue(Goal("at_most", 1).met(0.5, None, None))
        self.assertTrue(Goal("quieter", 0.1).met(0.05, 1.0, 0.2))
        self.assertFalse(Goal("quieter", 0.1).met(0.05, 1.0, 0.04))
        self.assertIsNone(Goal("quieter", 0.1).met(0.05, 1.0, None))
        self.assertIsNone(Goal("ratio_at_most", 3).met(None, 10, None))

    def test_render_shows_sections_ratios_and_verdicts(self):
        text = render([Row("Offload", "umask (ns)", 30.0, 10.0, goal=Goal("ratio_at_most", 3)),
                       Row("Offload", "wake-ups", None)])
        self.assertIn("Offload", text)
        self.assertIn("3.00x", text)
        self.assertIn("met", text)
        self.assertIn("wake-ups", text)


def run_report(test, tmp):
    """report.py on the result tree in tmp, which must succeed; its output."""
    out = subprocess.run([sys.executable, os.path.join(HERE, "report.py"), tmp, "--json",
                          os.path.join(tmp, "bench.json"), "--plot", os.path.join(tmp, "noise.png")],
                         capture_output=True, text=True)
    test.assertEqual(out.returncode, 0, out.stderr)
    return out


def report_rows(tmp):
    with open(os.path.join(tmp, "bench.json")) as f:
        return json.load(f)["rows"]


class ReportTests(unittest.TestCase):
    def test_report_runs_on_a_partial_result_tree(self):
        with tempfile.TemporaryDirectory() as tmp:
            noise = os.path.join(tmp, "noise")
            os.makedirs(noise)
            with open(os.path.join(noise, "fwq-linux.txt"), "w") as f:
                f.write(fwq_text([1000] * 10 + [1500]))
            for when, text in (("before", INTERRUPTS_BEFORE), ("after", INTERRUPTS_AFTER)):
                with open(os.path.join(noise, f"fwq-linux.{when}.interrupts"), "w") as f:
                    f.write(text)
            with open(os.path.join(noise, "values.txt"), "w") as f:
                f.write("kernel 6.12.0\nfwq_units 100\n")
            out = run_report(self, tmp)
            self.assertIn("FWQ: time lost (%)", out.stdout)
            rows = report_rows(tmp)
            lost = next(r for r in rows if r["metric"] == "FWQ: time lost (%)")
            self.assertAlmostEqual(lost["linux"], 100 * 500 / 11500)
            self.assertIsNone(lost["met"])

    def test_lwk_rows_count_what_entered_its_cpu_during_the_fwq_program(self):
        with tempfile.TemporaryDirectory() as tmp:
            noise = os.path.join(tmp, "noise")
            os.makedirs(noise)
            with open(os.path.join(noise, "fwq-lwk.txt"), "w") as f:
                f.write(fwq_text([1000] * 10))
            with open(os.path.join(noise, "values.txt"), "w") as f:
                f.write("fwq_units 100\nlwk_pid_fwq-lwk 170\n")
            with open(os.path.join(noise, "lwk-kmsg.txt"), "w") as f:
                f.write(LWKEntriesTests.LOG)
            run_report(self, tmp)
            rows = {r["metric"]: r for r in report_rows(tmp)}
            self.assertEqual(rows["LWK: timer and other interrupts during the FWQ program"]["lwk"], 2)
            self.assertEqual(rows["LWK: IKC interrupts during the FWQ program"]["lwk"], 3)

    def test_pti_rows_set_pti_on_against_pti_off(self):
        with tempfile.TemporaryDirectory() as tmp:
            main = os.path.join(tmp, "main")
            os.makedirs(main)
            with open(os.path.join(main, "calls.txt"), "w") as f:
                f.write("native_getpid 100\nlwk_getpid 40\nlwk_pti_getpid 140\nlwk_umask 9000\n")
            run_report(self, tmp)
            rows = {r["metric"]: r for r in report_rows(tmp)}
            pti = rows["getpid, LWK-local, pti=on (ns)"]
            self.assertEqual((pti["lwk"], pti["linux"], pti["ratio"]), (140, 40, 3.5))
            self.assertIsNone(rows["umask, offloaded, pti=on (ns)"]["lwk"])

    def test_thread_rows_set_the_best_lwk_run_against_the_best_linux_run(self):
        with tempfile.TemporaryDirectory() as tmp:
            main = os.path.join(tmp, "main")
            os.makedirs(main)
            with open(os.path.join(main, "threads.txt"), "w") as f:
                # two runs of each side: each side's best counts
                f.write("native_futex_wake 40000\nnative_create_join 250000\nnative_omp_threads 2\n"
                        "native_omp_barrier 30000\nnative_omp_reduction 90000\n"
                        "lwk_futex_wake 20000\nlwk_create_join 1000000\nlwk_omp_threads 2\n"
                        "lwk_omp_barrier 30000\n"
                        "lwk_futex_wake 30000\nlwk_create_join 2000000\nlwk_omp_threads 2\nlwk_omp_barrier 4000000\n"
                        "native_futex_wake 50000\nnative_create_join 260000\nnative_omp_threads 2\n"
                        "native_omp_barrier 3000000\nnative_omp_reduction 95000\n")
            run_report(self, tmp)
            rows = {r["metric"]: r for r in report_rows(tmp)}
            futex = rows["futex wake latency (ns)"]
            self.assertEqual((futex["lwk"], futex["linux"], futex["ratio"], futex["met"]), (20000, 40000, 0.5, True))
            create = rows["thread create+join (us)"]
            self.assertEqual((create["lwk"], create["linux"], create["ratio"], create["met"]), (1000, 250, 4, False))
            self.assertTrue(rows["OpenMP barrier overhead (ns)"]["met"])
            self.assertIn("teams of 2 (LWK) and 2 (Linux) threads", rows["OpenMP barrier overhead (ns)"]["note"])
            reduction = rows["OpenMP reduction overhead (ns)"]
            self.assertEqual((reduction["lwk"], reduction["linux"], reduction["met"]), (None, 90000, None))

    def test_process_rows_divide_to_microseconds_against_a_two_times_goal(self):
        with tempfile.TemporaryDirectory() as tmp:
            main = os.path.join(tmp, "main")
            os.makedirs(main)
            with open(os.path.join(main, "processes.txt"), "w") as f:
                f.write("native_fork_exit_wait 200000\nnative_exec_static 400000\nnative_exec_dynamic 900000\n"
                        "lwk_fork_exit_wait 1000000\nlwk_exec_static 600000\n")
            with open(os.path.join(main, "startup.txt"), "w") as f:
                f.write("native_dynamic_startup_ns 2000000\nlwk_dynamic_startup_ns 9000000\n"
                        "native_dynamic_startup_ns 4000000\nlwk_dynamic_startup_ns 11000000\n")
            run_report(self, tmp)
            rows = {r["metric"]: r for r in report_rows(tmp)}
            fork = rows["fork+exit+wait (us)"]
            self.assertEqual((fork["lwk"], fork["linux"], fork["ratio"], fork["met"]), (1000, 200, 5, False))
            static = rows["exec of a static program, to main (us)"]
            self.assertEqual((static["lwk"], static["linux"], static["ratio"], static["met"]), (600, 400, 1.5, True))
            dynamic = rows["exec of a dynamic program, to main (us)"]
            self.assertEqual((dynamic["lwk"], dynamic["linux"], dynamic["met"]), (None, 900, None))
            startup = rows["fork to main of a dynamic program (ms)"]
            self.assertEqual((startup["lwk"], startup["linux"]), (10, 3))


if __name__ == "__main__":
    unittest.main()
