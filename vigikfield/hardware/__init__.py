"""Card readers, centrale links, scanners: an interface each, real and simulated backends.

Never imports Textual.
"""
