"""The line protocol: round trips, noise tolerance, and (hypothesis) a parser
that never raises anything but ProtocolError, whatever bytes arrive."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from vigikfield.hardware.protocol import Frame, FrameReader, ProtocolError, encode, parse_line
from vigikfield.hardware.simulator import CentraleUnit

words = st.sampled_from(["IDENT", "LIST", "ADD", "VERIFY", "OK", "ERR", "+"])


@given(st.binary(max_size=700))
@settings(max_examples=400)
def test_parse_line_raises_only_its_own_error(data):
    try:
        frame = parse_line(data)
    except ProtocolError:
        return
    assert isinstance(frame, Frame) and 0 <= frame.seq <= 255


@given(st.lists(st.binary(max_size=200), max_size=12))
def test_frame_reader_never_raises_and_finds_frames_in_noise(chunks):
    reader = FrameReader()
    wanted = Frame("!", 7, "OK", ("Police — code inter-bailleurs", "1111111"))
    noise = b"".join(chunks).replace(b"\n", b"")
    frames = reader.feed(noise + b"\r\n")
    frames += reader.feed(encode(wanted))
    assert wanted in frames


@given(st.integers(0, 255), words, st.lists(st.text(max_size=40), max_size=5))
def test_round_trip(seq, word, fields):
    if fields == [""]:
        fields = []   # one empty field and no field are the same line
    frame = Frame("$", seq, word, tuple(fields))
    assert parse_line(encode(frame)) == frame


def test_damaged_frames_are_rejected():
    good = encode(Frame("$", 1, "IDENT"))
    flipped = good.replace(b"IDENT", b"IDENS")
    reader = FrameReader()
    assert reader.feed(flipped) == [] and reader.rejected == 1
    assert reader.feed(b"\xff" * 2000) == [] and reader.rejected == 2
    assert reader.feed(b"junk" + good) == [Frame("$", 1, "IDENT")]


def test_unknown_command_and_bad_arguments():
    unit = CentraleUnit("VX-4")
    [reply] = unit.handle(Frame("$", 3, "FORMAT"))
    assert reply.word == "ERR" and reply.fields[0] == "12" and reply.seq == 3
    [reply] = unit.handle(Frame("$", 4, "ADD", ("X", "1111111", "10:00-10:00")))
    assert reply.word == "ERR" and reply.fields[0] == "13"
