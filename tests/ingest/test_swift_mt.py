"""SWIFT MT messages read into canonical records: self-made FIN and RJE files, a bank's
MT940 statement, broken messages, and the real samples in
``../shared/data/payment_messages/swift_mt``."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest.swift_mt import read_swift_mt, sniff_swift_mt

MT103_50K = (
    "{1:F01BDMAMLBAAXXX0001000001}{2:I103ECOCNENIXXXXN}{3:{121:4e8c5d6a-0c3b-4c8e-9e1a-"
    "3d2f1b0a9c8d}}{4:\r\n"
    ":20:BDM250314-0001\r\n"
    ":23B:CRED\r\n"
    ":32A:250314XOF2500000,\r\n"
    ":50K:/ML03D00890170001002120000447\r\n"
    "ETS SYLLA ET FRERES\r\n"
    "RUE 311 PORTE 42\r\n"
    "BAMAKO MALI\r\n"
    ":52A:BDMAMLBA\r\n"
    ":57A:ECOCNENI\r\n"
    ":59:/NE58NE0380100100130305000268\r\n"
    "OUMAROU ISSOUFOU\r\n"
    "NIAMEY\r\n"
    ":70:ACHAT BETAIL\r\n"
    "LOT 42\r\n"
    ":71A:SHA\r\n"
    "-}{5:{CHK:0123456789AB}}"
)
MT103_50F = (
    "{1:F01SGCIBFBFAXXX0002000002}{2:O1031030250315ORABCIABAXXX00020000022503151030N}{4:\n"
    ":20:SGB-77120\n"
    ":32A:250315EUR12500,50\n"
    ":50F:CCPT/ML/AA1234567\n"
    "1/TRAORE\n"
    "1/MOUSSA\n"
    "2/QUARTIER HIPPODROME\n"
    "3/ML/BAMAKO\n"
    "4/19710502\n"
    ":59F:/FR7630006000011234567890189\n"
    "1/DUPONT ET FILS SARL\n"
    "2/12 RUE DE LA PAIX\n"
    "3/FR/PARIS\n"
    ":70:/INV/2025-117\n"
    "-}"
)
MT103_NO_32A = (
    "{1:F01BDMAMLBAAXXX0003000003}{2:I103ECOCNENIXXXXN}{4:\n"
    ":20:REF123\n"
    ":50K:AMINATA DIALLO\n"
    ":59:IBRAHIM AG ALHASSANE\n"
    "-}"
)
ACK = "{1:F21BDMAMLBAAXXX0001000001}{4:{177:2503141030}{451:0}}"


def write(tmp_path: Path, text: str, name: str = "messages.fin") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("latin-1"))
    return path


def test_mt103_with_50k_and_59(tmp_path: Path) -> None:
    batch = read_swift_mt(write(tmp_path, MT103_50K))
    assert batch.format == "swift"
    row = batch.frame.row(0, named=True)
    assert row["transaction_id"] == "BDM250314-0001"
    assert (row["booked_at"], row["currency"], row["amount"]) == (
        "2025-03-14", "XOF", "2500000")
    assert row["originator_name"] == "ETS SYLLA ET FRERES"
    assert row["originator_account"] == "ML03D00890170001002120000447"
    assert row["originator_country"] == "ML"
    assert row["beneficiary_name"] == "OUMAROU ISSOUFOU"
    assert row["beneficiary_country"] == "NE"
    assert (row["originator_bic"], row["beneficiary_bic"]) == ("BDMAMLBA", "ECOCNENI")
    assert row["purpose"] == "ACHAT BETAIL LOT 42"
    assert row["channel"] == "MT103"
    assert row["source_ref"] == "MT103 :20:BDM250314-0001 (message 1)"
    assert batch.unmapped == {"MT103 :23B:": 1, "MT103 :71A:": 1}


def test_mt103_with_structured_50f_and_59f(tmp_path: Path) -> None:
    row = read_swift_mt(write(tmp_path, MT103_50F)).frame.row(0, named=True)
    assert row["originator_name"] == "TRAORE MOUSSA"
    assert row["originator_birth_date"] == "1971-05-02"
    assert row["originator_id_number"] == "AA1234567"
    assert row["originator_nationality"] == "ML"
    assert row["originator_country"] == "ML"
    assert row["beneficiary_name"] == "DUPONT ET FILS SARL"
    assert row["beneficiary_account"] == "FR7630006000011234567890189"
    assert row["beneficiary_country"] == "FR"
    assert (row["amount"], row["currency"]) == ("12500.50", "EUR")
    # no 52A/57A: the sender (output message: block 2) and the receiver (block 1)
    assert (row["originator_bic"], row["beneficiary_bic"]) == ("ORABCIABXXX", "SGCIBFBFXXX")


def test_rje_file_with_three_messages_and_an_ack(tmp_path: Path) -> None:
    text = "$".join([ACK + MT103_50K, MT103_50F, MT103_NO_32A]) + "$"
    batch = read_swift_mt(write(tmp_path, text, "batch.rje"))
    assert batch.frame["transaction_id"].to_list() == ["BDM250314-0001", "SGB-77120",
                                                       "REF123"]
    assert batch.frame["source_ref"].to_list() == [
        "MT103 :20:BDM250314-0001 (message 2)", "MT103 :20:SGB-77120 (message 3)",
        "MT103 :20:REF123 (message 4)"]
    assert batch.unmapped["service message ACK"] == 1


def test_a_message_without_32a_is_kept_for_quarantine(tmp_path: Path) -> None:
    row = read_swift_mt(write(tmp_path, MT103_NO_32A)).frame.row(0, named=True)
    assert row["transaction_id"] == "REF123"
    assert (row["amount"], row["booked_at"], row["currency"]) == (None, None, None)
    assert row["originator_name"] == "AMINATA DIALLO"
    assert row["source_ref"] == "MT103 :20:REF123 (message 1)"


MT202COV = (
    "{1:F01ECOCNENIAXXX0004000004}{2:I202BDMAMLBAXXXXN}{3:{119:COV}}{4:\n"
    ":20:COV-5512\n:21:BDM250314-0001\n:32A:250314XOF2500000,\n"
    ":52A:ECOCNENI\n:58A:/ML13D00890170001002120000447\nBDMAMLBA\n"
    ":50K:/NE58NE0380100100130305000268\nSOCIETE NIGERIENNE DE NEGOCE\n"
    ":59:/ML03D00890170001002120000447\nETS SYLLA ET FRERES\n"
    ":70:FACTURE 88\n-}"
)


def test_mt202cov_reads_the_banks_and_the_underlying_customers(tmp_path: Path) -> None:
    row = read_swift_mt(write(tmp_path, MT202COV)).frame.row(0, named=True)
    assert row["channel"] == "MT202COV"
    assert (row["originator_bic"], row["beneficiary_bic"]) == ("ECOCNENI", "BDMAMLBA")
    assert row["originator_name"] == "SOCIETE NIGERIENNE DE NEGOCE"
    assert row["beneficiary_name"] == "ETS SYLLA ET FRERES"
    assert row["beneficiary_account"] == "ML03D00890170001002120000447"
    assert row["purpose"] == "FACTURE 88"


MT940 = (
    "{1:F01BDMAMLBAAXXX0005000005}{2:O9401800250314BDMAMLBAAXXX00050000052503141800N}{4:\r\n"
    ":20:STMT250314\r\n"
    ":25:ML03D00890170001002120000447\r\n"
    ":28C:00071/001\r\n"
    ":60F:C250313XOF15000000,\r\n"
    ":61:2503140314C2500000,NTRFBDM250314-0001//ECO88341\r\n"
    ":86:166?00VIREMENT RECU?20ACHAT BETAIL?21LOT 42?31NE58NE0380100100130305000268"
    "?32OUMAROU ISSOUFOU\r\n"
    ":61:250314D750000,NMSCNONREF//BDM-CASH-17\r\n"
    ":86:/ORDP/ETS SYLLA ET FRERES/BENM/AMINATA DIALLO/REMI/AVANCE SUR SALAIRE\r\n"
    ":61:250315D12000,NCHGNONREF\r\n"
    ":86:FRAIS DE TENUE DE COMPTE MARS\r\n"
    ":62F:C250315XOF16738000,\r\n"
    "-}"
)


def test_mt940_statement_lines_with_their_details(tmp_path: Path) -> None:
    batch = read_swift_mt(write(tmp_path, MT940, "statement.sta"))
    credit, debit, fee = batch.frame.rows(named=True)
    assert credit["transaction_id"] == "BDM250314-0001"
    assert (credit["booked_at"], credit["amount"], credit["currency"]) == (
        "2025-03-14", "2500000", "XOF")
    assert credit["originator_name"] == "OUMAROU ISSOUFOU"
    assert credit["originator_account"] == "NE58NE0380100100130305000268"
    assert credit["originator_country"] == "NE"
    assert credit["beneficiary_account"] == "ML03D00890170001002120000447"
    assert credit["beneficiary_bic"] == "BDMAMLBAXXX"
    assert credit["purpose"] == "ACHAT BETAIL LOT 42"
    assert debit["transaction_id"] == "BDM-CASH-17"  # the owner's reference is NONREF
    assert debit["originator_account"] == "ML03D00890170001002120000447"
    assert debit["beneficiary_name"] == "ETS SYLLA ET FRERES"
    assert debit["purpose"] == "AVANCE SUR SALAIRE"
    assert fee["transaction_id"] == "STMT250314/3"
    assert fee["beneficiary_name"] is None
    assert fee["purpose"] == "FRAIS DE TENUE DE COMPTE MARS"
    assert fee["source_ref"] == "MT940 :20:STMT250314 :61:[3] (message 1)"
    assert batch.unmapped == {"MT940 :28C:": 1, "MT940 :62F:": 1}


def test_a_statement_export_without_fin_headers(tmp_path: Path) -> None:
    body = MT940.split("{4:\r\n", 1)[1].replace("-}", "-")
    frame = read_swift_mt(write(tmp_path, body + "\r\n" + body, "export.txt")).frame
    assert frame.height == 6
    assert frame["amount"].to_list() == ["2500000", "750000", "12000"] * 2
    assert frame["source_ref"][5] == "MT940 :20:STMT250314 :61:[3] (message 2)"


def test_a_file_without_messages_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "transaction_id;amount\nT1;100\n", "notes.fin")
    with pytest.raises(IngestError) as err:
        read_swift_mt(path)
    assert err.value.key == "intake.swift.no_message"
    assert str(err.value) == (f"{path} holds no SWIFT MT message: no {{1:…}}{{2:…}}{{4:…-}} "
                              "blocks were found")
    assert "ne contient aucun message SWIFT MT" in err.value.message("fr")


def test_a_file_of_other_messages_is_refused_naming_them(tmp_path: Path) -> None:
    mt199 = "{1:F01BDMAMLBAAXXX0006000006}{2:I199ECOCNENIXXXXN}{4:\n:20:Q1\n:79:HELLO\n-}"
    with pytest.raises(IngestError) as err:
        read_swift_mt(write(tmp_path, ACK + mt199))
    assert err.value.key == "intake.swift.no_transactions"
    assert err.value.params["types"] == "MT199"
    assert "\n" not in str(err.value)


def test_sniffing() -> None:
    assert sniff_swift_mt(MT103_50K.encode())
    assert sniff_swift_mt(("$" + ACK).encode())
    assert sniff_swift_mt(b"\r\n:20:STMT250314\r\n:25:ML03D0089017\r\n")
    assert not sniff_swift_mt(b'<?xml version="1.0"?><Document/>')
    assert not sniff_swift_mt(b"transaction_id;amount\nT1;100\n")


# -- the real samples -----------------------------------------------------------------
SAMPLES = "payment_messages/swift_mt"


@pytest.mark.shared
def test_rje_bulk_with_acks(shared_data: Path) -> None:
    batch = read_swift_mt(shared_data / SAMPLES / "prowide_MT103-bulk-with-ack.rje")
    frame = batch.frame
    assert frame["transaction_id"].to_list() == ["234234233", "C4772342333", "201904250034434"]
    assert frame["amount"].to_list() == ["3700", "1321.00", "1417.8"]
    assert frame["originator_name"][2] == "OLD MUTUAL GENERAL INSURAN"
    assert frame["beneficiary_name"][1] == "VICTORY FOOBAR"
    assert set(frame["originator_bic"]) == {"CCCCNGLA"}
    assert frame["purpose"][1] == "TITHE"
    assert batch.unmapped["service message ACK"] == 3


@pytest.mark.shared
def test_rje_of_thirteen_mt103(shared_data: Path) -> None:
    frame = read_swift_mt(shared_data / SAMPLES / "prowide_MT103-out-ack.rje").frame
    assert frame.height == 13
    first = frame.row(0, named=True)
    assert first["originator_name"] == "FOO CAPITAL MARKETS LP"
    assert first["beneficiary_name"] == "MERCADOS Y GESTION DE VALORES SA"
    assert (first["amount"], first["currency"], first["booked_at"]) == (
        "1814.28", "USD", "2019-10-14")
    assert first["originator_bic"] == "BBBBUS3NXXX"  # 52D gives no BIC: the sender's
    assert frame["beneficiary_country"][5] == "ES"
    assert frame["booked_at"][2] == "2007-10-28"


@pytest.mark.shared
def test_mt103_parser_messages(shared_data: Path) -> None:
    frame = read_swift_mt(shared_data / SAMPLES / "prowide_MT103ParserTest_messages.fin").frame
    assert frame.height == 8
    assert frame["originator_id_number"][0] == "SSSSESMMXXX"  # 50A: a BIC, no name
    assert frame["originator_bic"][2] == "FOOOIE2X"
    assert frame["originator_account"][5] == "1234}5678"
    last = frame.row(7, named=True)
    assert (last["transaction_id"], last["amount"], last["currency"]) == (
        "Return A", "100.25", "USD")
    assert last["beneficiary_name"] == "H.F. Janssen"


@pytest.mark.shared
def test_mt202_parser_messages(shared_data: Path) -> None:
    frame = read_swift_mt(shared_data / SAMPLES / "prowide_MT202ParserTest_messages.fin").frame
    assert frame["transaction_id"].to_list() == [
        "X2XC05060308", "C2CI03060306", "B2B404060307", "A2A504060227", "FTR2222222 01"]
    assert frame["amount"][1] == "199999.99"
    assert frame["originator_bic"].to_list()[:2] == ["LLLLLULLXXX", "BGLLLUYYXXX"]
    assert set(frame["beneficiary_bic"]) == {"FOOBARYYXXX", "FOOBARYY"}
    assert frame["beneficiary_account"][0] == "ES4100940060792840000017"
    assert set(frame["channel"]) == {"MT202"}


@pytest.mark.shared
def test_every_sample_loads(shared_data: Path) -> None:
    for path in sorted((shared_data / SAMPLES).iterdir()):
        assert sniff_swift_mt(path.read_bytes()[:4096]), path.name
        frame = read_swift_mt(path).frame
        assert frame.height >= 3, path.name
        assert frame["amount"].null_count() == 0
