"""Pure stage functions: Quantities in, Quantities out; no data look-ups, no I/O.

Each function is named after what it returns (Hamilton style), takes whole arrays (one scenario
is a batch of one) and checks the dimensions of its inputs.  The order of the stages is
accelerators -> power -> energy -> water -> carbon; :mod:`pipeline.chain` wires them.
"""
