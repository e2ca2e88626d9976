"""The benchmark suite (issue 13): ``python3 dev.py bench``.

``bench.data`` builds the data sets: a province set up through the product's own services
(``demo``), one dossier taken to the department appraisal through the services, and then
bulk copies of that dossier's rows (commune, dossier, process, open tasks, object
permissions, appraisal items, audit events) made with one ``INSERT ... SELECT`` per row
copied, so that a million open tasks take minutes, not days.

``bench.measure`` holds the measurements, each taken side by side with its baseline in the
same run; ``bench.run`` prints the table of ratios and writes ``var/bench/<time>.json``.
"""
