"""Optional front ends built on procflow's public API: diagrams of procedures
and dossiers (:mod:`procflow.contrib.diagram`) and the public procedure sheet
(:mod:`procflow.contrib.sheet`).

Nothing in the engine depends on this package.
"""
