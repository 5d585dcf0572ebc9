"""Tests of the Python package against a built library: run by ctest as
bindings_python with WHATMATTERS_LIB set to the build's libwhatmatters.so
and PYTHONPATH to python/. Each test asserts on real outputs of the engine:
tokens, offsets, areas, evidence, errors, threads and the DataFrame helper.
"""

import os
import threading
import unittest

import whatmatters as wm

SAMPLE = os.path.join(os.path.dirname(__file__), "..", "..", "corpora",
                      "sample")


def sample(lang):
    with open(os.path.join(SAMPLE, "answers_%s.txt" % lang),
              encoding="utf-8") as f:
        return f.read().split("\n")[:-1]


class AnalyzeTest(unittest.TestCase):
    def setUp(self):
        self.e = wm.Engine(lang="sv")

    def tearDown(self):
        self.e.close()

    def test_tokens_as_the_cli_prints_them(self):
        toks = self.e.analyze("Personalen lyssnar inte på mig 😞")
        self.assertEqual([(t.start, t.end, t.text, t.norm, t.stem)
                          for t in toks[:3]],
                         [(0, 10, "Personalen", "personalen", "personal"),
                          (11, 18, "lyssnar", "lyssnar", "lyssn"),
                          (19, 23, "inte", "inte", "int")])
        self.assertEqual(toks[0].flags, ("word", "sent_start", "clause_start"))
        self.assertEqual(toks[3].flags, ("word", "stopword", "negated"))
        self.assertEqual(toks[5].flags, ("symbol", "emoji", "negated"))

    def test_byte_and_str_offsets(self):
        text = "Två år på vårdcentralen 😞 ja"
        for t in self.e.analyze(text):
            self.assertEqual(text[t.char_start:t.char_end], t.text)
            self.assertEqual(text.encode()[t.start:t.end].decode(), t.text)
        last = self.e.analyze(text)[-1]
        self.assertEqual((last.start, last.char_start), (len(text.encode()) - 2,
                                                         len(text) - 2))

    def test_bytes_input_has_no_str_offsets(self):
        toks = self.e.analyze("Två år".encode())
        self.assertEqual(toks[1].text, "år")
        self.assertIsNone(toks[1].char_start)

    def test_all_segments_and_invalid_utf8(self):
        toks = self.e.analyze(b"ja \xff nej", all_segments=True)
        self.assertIn("invalid", [f for t in toks for f in t.flags])
        with self.assertRaises(wm.WhatmattersError) as cm:
            self.e.analyze(b"ja \xff nej", strict_utf8=True)
        self.assertEqual(cm.exception.name, "WM_EUTF8")
        self.assertIn("byte offset 3", cm.exception.message)


class ClassifyTest(unittest.TestCase):
    def test_areas_scores_evidence(self):
        with wm.Engine(lang="sv") as e:
            # every built-in plugin; supervised has no sv model and skips
            self.assertEqual(e.plugins, ["lexicon", "pattern", "supervised"])
            text = "Jag vill inte bli bollad mellan psykiatrin och beroendevården."
            r = e.classify(text)
            self.assertEqual(r.areas, ["coordination"])
            self.assertEqual(set(r.scores), set(e.areas))
            self.assertGreaterEqual(r.scores["coordination"], 0.5)
            ev = [x for x in r.evidence if x.text == "bollad"]
            self.assertTrue(ev and ev[0].negated and ev[0].area == "coordination")
            for x in r.evidence:
                self.assertEqual(text[x.char_start:x.char_end], x.text)
            self.assertIn(r.evidence[0].plugin, e.plugins)
            self.assertEqual(e.area_name("access", "sv"), "Tillgänglighet")

    def test_plugins_and_combine(self):
        with wm.Engine(lang="sv", plugins=["lexicon"], combine="mean") as e:
            self.assertEqual(e.plugins, ["lexicon"])
            self.assertEqual(e.classify("Att bli lyssnad på.").areas,
                             ["respect"])
        with wm.Engine(lang="sv", plugins=[]) as e:
            self.assertEqual(e.classify("Att bli lyssnad på.").areas, [])

    def test_several_languages(self):
        with wm.Engine(lang=["sv", "en"]) as e:
            self.assertEqual(e.classify("Being listened to.", "en").areas,
                             ["respect"])
            with self.assertRaises(ValueError):
                e.classify("Being listened to.")

    def test_errors_carry_code_and_message(self):
        with self.assertRaises(wm.WhatmattersError) as cm:
            wm.Engine(lang="xx")
        self.assertEqual((cm.exception.name, cm.exception.code), ("WM_ELANG", -3))
        self.assertIn("'xx'", cm.exception.message)
        with self.assertRaises(wm.WhatmattersError) as cm:
            wm.Engine(plugins=["no-such-plugin"])
        self.assertEqual(cm.exception.name, "WM_ENOTFOUND")
        with self.assertRaises(wm.WhatmattersError) as cm:
            wm.Engine(taxonomy="/no/such/taxonomy.txt")
        self.assertEqual(cm.exception.name, "WM_EIO")
        self.assertIn("/no/such/taxonomy.txt", str(cm.exception))

    def test_data_dir_with_a_broken_lexicon(self):
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.mkdir(os.path.join(d, "sv"))
            with open(os.path.join(d, "sv", "areas.txt"), "w") as f:
                f.write("[no_such_area]\nlyssn*\n")
            with self.assertRaises(wm.WhatmattersError) as cm:
                wm.Engine(lang="sv", data_dir=d)
            self.assertEqual(cm.exception.name, "WM_EPARSE")
            self.assertIn("areas.txt:1", cm.exception.message)

    def test_library_by_explicit_path(self):
        path = os.environ["WHATMATTERS_LIB"]
        self.assertEqual(wm.library_version(path).split(".")[:2], ["0", "1"])
        with wm.Engine(lang="en", library=path) as e:
            self.assertEqual(e.classify("Being listened to.").areas,
                             ["respect"])
        with self.assertRaises(OSError) as cm:
            wm.Engine(library="/no/such/libwhatmatters.so")
        self.assertIn("WHATMATTERS_LIB", str(cm.exception))

    def test_closed_engine(self):
        e = wm.Engine(lang="sv")
        a = e.analyzer()
        e.close()
        e.close()
        with self.assertRaises(wm.WhatmattersError):
            a.classify("ja")
        with self.assertRaises(wm.WhatmattersError):
            e.classify("ja")


class ManyTest(unittest.TestCase):
    def test_threads_give_the_same_results_in_order(self):
        answers = sample("sv") * 20
        with wm.Engine(lang="sv") as e:
            one = [r.areas for r in e.classify_many(answers, threads=1)]
            four = [r.areas for r in e.classify_many(answers, threads=4,
                                                     batch=7)]
            single = [e.classify(a).areas for a in answers[:43]]
            bare = e.classify_many(answers[:43], threads=2, evidence=False)
        self.assertEqual(one, four)
        self.assertEqual(one[:43], single)
        self.assertEqual(one[:43], [r.areas for r in bare])
        self.assertEqual([r.evidence for r in bare], [[]] * 43)
        self.assertTrue(any(one))

    def test_missing_answers_give_none(self):
        with wm.Engine(lang="sv") as e:
            r = e.classify_many(["Att bli lyssnad på.", None, float("nan")])
        self.assertEqual(r[0].areas, ["respect"])
        self.assertIsNone(r[1])
        self.assertIsNone(r[2])

    def test_short_lived_threads_do_not_pile_up_analyzers(self):
        with wm.Engine(lang="sv") as e:
            for _ in range(5):
                t = threading.Thread(target=e.classify, args=("ja",))
                t.start()
                t.join()
            e.classify("ja")
            self.assertLessEqual(len(e._analyzers), 2)


try:
    import pandas
except ImportError:
    pandas = None


@unittest.skipIf(pandas is None, "pandas is not installed (python3-pandas)")
class PackagingTest(unittest.TestCase):
    def test_pyproject_version_is_the_librarys(self):
        import tomllib
        here = os.path.dirname(os.path.abspath(__file__))
        with open(os.path.join(here, "..", "pyproject.toml"), "rb") as f:
            project = tomllib.load(f)["project"]
        self.assertEqual(project["name"], "whatmatters")
        self.assertEqual(project["version"], wm.library_version())


class DataFrameTest(unittest.TestCase):
    def test_code_dataframe(self):
        df = pandas.DataFrame({"id": [10, 11, 12],
                               "text": ["Att bli lyssnad på.", None,
                                        "Samma kontaktperson hela tiden"]})
        out = wm.code_dataframe(df, "text", lang="sv", scores=True,
                                evidence=True, threads=2)
        self.assertEqual(list(out["id"]), [10, 11, 12])
        self.assertEqual(list(out["areas"]), ["respect", "", "continuity"])
        self.assertEqual(list(out["respect"]), [1, 0, 0])
        self.assertEqual(out["respect_score"][0], 0.5)
        self.assertEqual(out["evidence"][1], [])
        with wm.Engine(lang="sv") as e:
            with self.assertRaises(ValueError):
                e.code_dataframe(out, "text")


if __name__ == "__main__":
    unittest.main()
