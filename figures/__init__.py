"""Figure generators: every image under docs/assets/figures is written by a module here.

Run one with ``python -m figures.<module>``, or all of them with ``python -m figures``
(``make figures``).
"""
