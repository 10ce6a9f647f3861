"""ISO 20022 payment messages read into canonical records: self-made messages written the
way banks' systems write them, malformed and hostile files, and the real samples in
``../shared/data/payment_messages/iso20022``."""

from __future__ import annotations

from pathlib import Path

import pytest

from aml_screen.errors import IngestError
from aml_screen.ingest import xml_records
from aml_screen.ingest.iso20022 import read_iso20022, sniff_iso20022

HEADER = """<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="urn:swift:xsd:envelope">
  <head:AppHdr xmlns:head="urn:iso:std:iso:20022:tech:xsd:head.001.001.02">
    <head:Fr><head:FIId><head:FinInstnId><head:BICFI>BDMAMLBA</head:BICFI></head:FinInstnId></head:FIId></head:Fr>
    <head:BizMsgIdr>B-2025-0314</head:BizMsgIdr>
    <head:MsgDefIdr>pacs.008.001.08</head:MsgDefIdr>
  </head:AppHdr>
  <p:Document xmlns:p="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08">
  <p:FIToFICstmrCdtTrf>
    <p:GrpHdr><p:MsgId>B-2025-0314</p:MsgId><p:NbOfTxs>{count}</p:NbOfTxs>
      <p:IntrBkSttlmDt>2025-03-14</p:IntrBkSttlmDt></p:GrpHdr>
"""
TRAILER = "  </p:FIToFICstmrCdtTrf>\n  </p:Document>\n</Envelope>\n"


def transfer(number: int, debtor: str, creditor: str, amount: str, *, ultimate: str = "",
             extra: str = "") -> str:
    ultimate_debtor = (
        f"<p:UltmtDbtr><p:Nm>{ultimate}</p:Nm><p:Id><p:PrvtId><p:DtAndPlcOfBirth>"
        "<p:BirthDt>1971-05-02</p:BirthDt><p:CityOfBirth>Gao</p:CityOfBirth>"
        "<p:CtryOfBirth>ML</p:CtryOfBirth></p:DtAndPlcOfBirth><p:Othr><p:Id>A1234567</p:Id>"
        "</p:Othr></p:PrvtId></p:Id></p:UltmtDbtr>" if ultimate else "")
    return f"""    <p:CdtTrfTxInf>
      <p:PmtId><p:InstrId>I{number}</p:InstrId><p:EndToEndId>NOTPROVIDED</p:EndToEndId>
        <p:UETR>7a3ac869-6236-407c-8d83-{number:012d}</p:UETR></p:PmtId>
      <p:IntrBkSttlmAmt Ccy="XOF">{amount}</p:IntrBkSttlmAmt>
      <p:ChrgBr>SHAR</p:ChrgBr>
      <p:InstgAgt><p:FinInstnId><p:BICFI>BDMAMLBAXXX</p:BICFI></p:FinInstnId></p:InstgAgt>
      {ultimate_debtor}
      <p:Dbtr><p:Nm>{debtor}</p:Nm><p:PstlAdr><p:TwnNm>Bamako</p:TwnNm></p:PstlAdr></p:Dbtr>
      <p:DbtrAcct><p:Id><p:IBAN>ML03D00890170001002120000447</p:IBAN></p:Id></p:DbtrAcct>
      <p:DbtrAgt><p:FinInstnId><p:BICFI>BDMAMLBA</p:BICFI></p:FinInstnId></p:DbtrAgt>
      <p:CdtrAgt><p:FinInstnId><p:BICFI>ECOCNENI</p:BICFI></p:FinInstnId></p:CdtrAgt>
      <p:Cdtr><p:Nm>{creditor}</p:Nm><p:PstlAdr><p:Ctry>NE</p:Ctry></p:PstlAdr></p:Cdtr>
      <p:CdtrAcct><p:Id><p:Othr><p:Id>0038010010013</p:Id></p:Othr></p:Id></p:CdtrAcct>
      <p:RmtInf><p:Ustrd>Achat bétail</p:Ustrd><p:Ustrd>lot {number}</p:Ustrd></p:RmtInf>{extra}
    </p:CdtTrfTxInf>
"""


TRANSFERS = [
    ("Moussa Traoré", "Oumarou Issoufou", "150000", {}),
    ("Ets Sylla &amp; Frères", "Aminata Diallo", "2500000", {}),
    ("Awa Keïta", "Ibrahim Ag Alhassane", "75000",
     {"ultimate": "Mohamed Ould Abdallahi"}),
    ("Fatimetou Mint Ahmed", "Hadja Coulibaly", "30000", {}),
    ("Boubacar Cissé", "Mahamat Saleh", "12000",
     {"extra": "<!-- checked --><p:Purp><p:Cd>SUPP</p:Cd></p:Purp>"}),
    ("Seydou Kane", "Ousmane Sow", "99000", {}),
]


@pytest.fixture
def pacs008(tmp_path: Path) -> Path:
    path = tmp_path / "pacs008.xml"
    body = "".join(transfer(i, d, c, a, **x)  # type: ignore[arg-type]
                   for i, (d, c, a, x) in enumerate(TRANSFERS, start=1))
    path.write_text(HEADER.format(count=len(TRANSFERS)) + body + TRAILER, encoding="utf-8")
    return path


def test_pacs008_in_an_application_header_envelope(pacs008: Path) -> None:
    batch = read_iso20022(pacs008)
    frame = batch.frame
    assert batch.format == "iso20022"
    assert frame.height == 6
    assert frame["originator_name"].to_list() == [
        "Moussa Traoré", "Ets Sylla & Frères", "Mohamed Ould Abdallahi",
        "Fatimetou Mint Ahmed", "Boubacar Cissé", "Seydou Kane"]
    assert frame["beneficiary_name"][4] == "Mahamat Saleh"
    assert frame["amount"].to_list() == ["150000", "2500000", "75000", "30000", "12000",
                                         "99000"]
    assert set(frame["currency"]) == {"XOF"}
    assert set(frame["booked_at"]) == {"2025-03-14"}  # the group header's settlement date
    assert frame["transaction_id"][0] == "7a3ac869-6236-407c-8d83-000000000001"
    assert set(frame["originator_bic"]) == {"BDMAMLBA"}
    assert set(frame["beneficiary_bic"]) == {"ECOCNENI"}
    assert set(frame["originator_account"]) == {"ML03D00890170001002120000447"}
    assert set(frame["originator_country"]) == {"ML"}  # from the IBAN: no postal country
    assert set(frame["beneficiary_country"]) == {"NE"}
    assert frame["purpose"][5] == "Achat bétail lot 6"
    assert frame["channel"][0] == "pacs.008"
    assert frame["source_ref"][2] == (
        "/Envelope[1]/Document[1]/FIToFICstmrCdtTrf[1]/CdtTrfTxInf[3]")


def test_an_ultimate_debtor_is_screened_with_its_own_details(pacs008: Path) -> None:
    frame = read_iso20022(pacs008).frame
    row = frame.row(2, named=True)
    assert row["originator_name"] == "Mohamed Ould Abdallahi"
    assert row["originator_birth_date"] == "1971-05-02"
    assert row["originator_id_number"] == "A1234567"
    assert row["originator_account_holder"] == "Awa Keïta"
    assert frame["originator_birth_date"].null_count() == 5  # never another party's
    assert frame["originator_account_holder"].null_count() == 5


def test_unread_elements_are_counted_by_path(pacs008: Path) -> None:
    unmapped = read_iso20022(pacs008).unmapped
    assert unmapped["CdtTrfTxInf/ChrgBr"] == 6
    assert unmapped["CdtTrfTxInf/Dbtr/PstlAdr/TwnNm"] == 6
    assert unmapped["CdtTrfTxInf/Purp/Cd"] == 1
    assert unmapped["CdtTrfTxInf/UltmtDbtr/Id/PrvtId/DtAndPlcOfBirth/CityOfBirth"] == 1
    assert unmapped["FIToFICstmrCdtTrf/GrpHdr/MsgId"] == 1
    assert "CdtTrfTxInf/PmtId/UETR" not in unmapped


def test_records_cut_by_every_block_boundary_read_the_same(
        pacs008: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks of 7 bytes cut every tag, name and entity somewhere, and rows handed over
    two records at a time: same records, same order."""
    whole = read_iso20022(pacs008)
    monkeypatch.setattr(xml_records, "BLOCK", 7)
    monkeypatch.setattr(xml_records, "FLUSH", 30)
    cut = read_iso20022(pacs008)
    assert cut.frame.equals(whole.frame)
    assert cut.unmapped == whole.unmapped


def test_cdata_comments_and_attribute_order_do_not_change_values(tmp_path: Path) -> None:
    records = [transfer(i, f"Client {i}", "Awa Diallo", f"{i}000") for i in range(1, 4)]
    records.append(transfer(4, "<![CDATA[Dupont & Fils <Sarl>]]>", "Awa Diallo", "4000")
                   .replace('Ccy="XOF"', "Ccy='EUR' xmlns:x='urn:x'"))
    path = tmp_path / "mixed.xml"
    path.write_text(HEADER.format(count=4) + "".join(records) + TRAILER, encoding="utf-8")
    frame = read_iso20022(path).frame
    assert frame["originator_name"].to_list() == ["Client 1", "Client 2", "Client 3",
                                                  "Dupont & Fils <Sarl>"]
    assert frame["currency"].to_list() == ["XOF", "XOF", "XOF", "EUR"]
    assert frame["amount"][3] == "4000"


PAIN001 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.03">
 <CstmrCdtTrfInitn>
  <GrpHdr><MsgId>SAL-2025-03</MsgId><NbOfTxs>3</NbOfTxs><InitgPty><Nm>SOTELMA</Nm></InitgPty></GrpHdr>
  <PmtInf>
   <PmtInfId>SAL-1</PmtInfId><PmtMtd>TRF</PmtMtd><ReqdExctnDt>2025-03-28</ReqdExctnDt>
   <Dbtr><Nm>SOTELMA SA</Nm><PstlAdr><Ctry>ML</Ctry></PstlAdr></Dbtr>
   <DbtrAcct><Id><IBAN>ML13D00890170001002120000447</IBAN></Id></DbtrAcct>
   <DbtrAgt><FinInstnId><BIC>BDMAMLBA</BIC></FinInstnId></DbtrAgt>
   <CdtTrfTxInf><PmtId><EndToEndId>SAL-1-001</EndToEndId></PmtId>
    <Amt><InstdAmt Ccy="XOF">450000</InstdAmt></Amt>
    <Cdtr><Nm>Adama Konaté</Nm></Cdtr>
    <CdtrAcct><Id><IBAN>ML41D00890170001002120000448</IBAN></Id></CdtrAcct>
   </CdtTrfTxInf>
   <CdtTrfTxInf><PmtId><EndToEndId>SAL-1-002</EndToEndId></PmtId>
    <Amt><InstdAmt Ccy="XOF">380000</InstdAmt></Amt>
    <UltmtDbtr><Nm>Orange Mali SA</Nm></UltmtDbtr>
    <Cdtr><Nm>Kadiatou Sangaré</Nm></Cdtr>
   </CdtTrfTxInf>
  </PmtInf>
  <PmtInf>
   <PmtInfId>FRN-2</PmtInfId><PmtMtd>TRF</PmtMtd>
   <ReqdExctnDt><Dt>2025-03-31</Dt></ReqdExctnDt>
   <Dbtr><Nm>SOTELMA SA</Nm></Dbtr>
   <DbtrAcct><Id><IBAN>ML13D00890170001002120000447</IBAN></Id></DbtrAcct>
   <DbtrAgt><FinInstnId><BIC>BDMAMLBA</BIC></FinInstnId></DbtrAgt>
   <CdtTrfTxInf><PmtId><EndToEndId>FRN-2-001</EndToEndId></PmtId>
    <Amt><InstdAmt Ccy="EUR">12500.00</InstdAmt></Amt>
    <CdtrAgt><FinInstnId><BIC>SOGEFRPP</BIC></FinInstnId></CdtrAgt>
    <Cdtr><Nm>Alcatel Submarine Networks</Nm><PstlAdr><Ctry>FR</Ctry></PstlAdr></Cdtr>
    <RmtInf><Ustrd>Facture 2025-117</Ustrd></RmtInf>
   </CdtTrfTxInf>
  </PmtInf>
 </CstmrCdtTrfInitn>
</Document>
"""


def test_character_references_are_read_as_xml_reads_them(tmp_path: Path) -> None:
    """``&#128;``-``&#159;`` are U+0080-U+009F in XML (HTML, whose unescaping was used,
    reads them as Windows-1252: a euro sign, a dash); names are kept as the file wrote them."""
    records = [transfer(1, "Sahel &#150; Commerce &#x80;&amp;&#233;", "Awa Diallo", "1000")]
    path = tmp_path / "references.xml"
    path.write_text(HEADER.format(count=1) + "".join(records) + TRAILER, encoding="utf-8")
    assert read_iso20022(path).frame["originator_name"].to_list() == [
        "Sahel \x96 Commerce \x80&é"]


def test_pain001_payment_information_applies_to_each_of_its_transfers(tmp_path: Path) -> None:
    path = tmp_path / "pain001.xml"
    path.write_text(PAIN001, encoding="utf-8")
    frame = read_iso20022(path).frame
    assert frame["transaction_id"].to_list() == ["SAL-1-001", "SAL-1-002", "FRN-2-001"]
    assert frame["booked_at"].to_list() == ["2025-03-28", "2025-03-28", "2025-03-31"]
    assert frame["originator_name"].to_list() == ["SOTELMA SA", "Orange Mali SA",
                                                  "SOTELMA SA"]
    # the account's country when the party gives none: where the money leaves from
    assert frame["originator_country"].to_list() == ["ML", "ML", "ML"]
    assert frame["originator_account_holder"].to_list() == [None, "SOTELMA SA", None]
    assert frame["amount"].to_list() == ["450000", "380000", "12500.00"]
    assert frame["currency"].to_list() == ["XOF", "XOF", "EUR"]
    assert set(frame["originator_bic"]) == {"BDMAMLBA"}
    assert frame["beneficiary_bic"].to_list() == [None, None, "SOGEFRPP"]
    assert frame["beneficiary_country"].to_list() == ["ML", None, "FR"]
    assert frame["purpose"].to_list() == [None, None, "Facture 2025-117"]
    assert frame["source_ref"][2] == "/Document[1]/CstmrCdtTrfInitn[1]/PmtInf[2]/CdtTrfTxInf[1]"


CAMT053 = """<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">
 <BkToCstmrStmt>
  <GrpHdr><MsgId>STMT-0314</MsgId></GrpHdr>
  <Stmt>
   <Id>STMT-0314-1</Id>
   <Acct><Id><IBAN>NE58NE0380100100130305000268</IBAN></Id>
    <Ownr><Nm>Société Nigérienne de Négoce</Nm></Ownr>
    <Svcr><FinInstnId><BICFI>ECOCNENI</BICFI></FinInstnId></Svcr></Acct>
   <Ntry>
    <Amt Ccy="XOF">5000000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
    <BookgDt><Dt>2025-03-14</Dt></BookgDt><ValDt><Dt>2025-03-15</Dt></ValDt>
    <AcctSvcrRef>ECO-88341</AcctSvcrRef>
    <NtryDtls><TxDtls>
     <Refs><EndToEndId>E2E-NG-4471</EndToEndId></Refs>
     <Amt Ccy="XOF">5000000</Amt>
     <RltdPties><Dbtr><Pty><Nm>Abubakar Musa Trading Ltd</Nm>
      <PstlAdr><Ctry>NG</Ctry></PstlAdr></Pty></Dbtr>
      <DbtrAcct><Id><Othr><Id>0123456789</Id></Othr></Id></DbtrAcct></RltdPties>
     <RltdAgts><DbtrAgt><FinInstnId><BICFI>ZEIBNGLA</BICFI></FinInstnId></DbtrAgt></RltdAgts>
     <RmtInf><Ustrd>Achat oignons</Ustrd></RmtInf>
    </TxDtls></NtryDtls>
   </Ntry>
   <Ntry>
    <Amt Ccy="XOF">250000</Amt><CdtDbtInd>DBIT</CdtDbtInd>
    <BookgDt><Dt>2025-03-16</Dt></BookgDt>
    <AcctSvcrRef>ECO-88342</AcctSvcrRef>
    <AddtlNtryInf>Retrait espèces guichet Agadez</AddtlNtryInf>
   </Ntry>
  </Stmt>
 </BkToCstmrStmt>
</Document>
"""


def test_camt053_entries_put_the_account_owner_on_their_side(tmp_path: Path) -> None:
    path = tmp_path / "camt053.xml"
    path.write_text(CAMT053, encoding="utf-8")
    frame = read_iso20022(path).frame
    assert frame.height == 2
    credit, debit = frame.rows(named=True)
    assert credit["transaction_id"] == "E2E-NG-4471"
    assert credit["booked_at"] == "2025-03-14"
    assert (credit["amount"], credit["currency"]) == ("5000000", "XOF")
    assert credit["originator_name"] == "Abubakar Musa Trading Ltd"
    assert credit["originator_country"] == "NG"
    assert credit["originator_account"] == "0123456789"
    assert credit["originator_bic"] == "ZEIBNGLA"
    assert credit["beneficiary_name"] == "Société Nigérienne de Négoce"
    assert credit["beneficiary_account"] == "NE58NE0380100100130305000268"
    assert credit["beneficiary_bic"] == "ECOCNENI"
    assert credit["purpose"] == "Achat oignons"
    assert credit["source_ref"].endswith("/Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]")
    assert debit["transaction_id"] == "ECO-88342"
    assert debit["originator_name"] == "Société Nigérienne de Négoce"
    assert debit["originator_account"] == "NE58NE0380100100130305000268"
    assert debit["beneficiary_name"] is None
    assert debit["purpose"] == "Retrait espèces guichet Agadez"
    assert debit["source_ref"] == "/Document[1]/BkToCstmrStmt[1]/Stmt[1]/Ntry[2]"


# -- refused files --------------------------------------------------------------------
def refusal(path: Path) -> IngestError:
    with pytest.raises(IngestError) as err:
        read_iso20022(path)
    assert "\n" not in str(err.value)
    return err.value


def test_a_truncated_file_is_refused_with_line_and_xpath(pacs008: Path) -> None:
    text = pacs008.read_text(encoding="utf-8")
    cut = text.index("<p:Nm>Aminata Diallo") + 9
    pacs008.write_text(text[:cut], encoding="utf-8")
    error = refusal(pacs008)
    assert error.key == "intake.xml.malformed"
    assert error.params["line"] == text[:cut].count("\n") + 1
    assert error.params["xpath"] == (
        "/Envelope[1]/Document[1]/FIToFICstmrCdtTrf[1]/CdtTrfTxInf[2]/Cdtr[1]/Nm[1]")
    assert "pacs008.xml is not well-formed XML at line" in str(error)
    assert "n'est pas du XML bien formé à la ligne" in error.message("fr")


def test_a_damaged_tag_is_refused_where_it_is(pacs008: Path) -> None:
    text = pacs008.read_text(encoding="utf-8")
    damaged = text.replace("<p:Nm>Hadja Coulibaly</p:Nm>", "<p:Nm>Hadja Coulibaly</p:Nom>")
    pacs008.write_text(damaged, encoding="utf-8")
    error = refusal(pacs008)
    assert error.key == "intake.xml.malformed"
    assert error.params["line"] == damaged[:damaged.index("</p:Nom>")].count("\n") + 1
    assert error.params["xpath"].endswith("/CdtTrfTxInf[4]/Cdtr[1]/Nm[1]")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Document [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol9 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:pacs.008.001.08"><FIToFICstmrCdtTrf>
<CdtTrfTxInf><Dbtr><Nm>&lol9;</Nm></Dbtr></CdtTrfTxInf></FIToFICstmrCdtTrf></Document>
"""


def test_an_xml_bomb_is_refused_before_any_expansion(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    error = refusal(path)
    assert error.key == "intake.xml.unsafe"
    assert error.params["line"] == 2


def test_an_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(BILLION_LAUGHS.replace(
        '<!ENTITY lol "lol">', '<!ENTITY lol SYSTEM "file:///etc/passwd">'), encoding="utf-8")
    assert refusal(path).key == "intake.xml.unsafe"


def test_a_wrong_namespace_is_refused_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "other.xml"
    path.write_text(PAIN001.replace("urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
                                    "urn:example:payments"), encoding="utf-8")
    assert sniff_iso20022(path.read_bytes())  # routed here, to be refused clearly
    error = refusal(path)
    assert error.key == "intake.iso20022.no_namespace"
    assert error.params["namespaces"] == "urn:example:payments"


def test_a_status_report_is_refused_as_carrying_no_transaction(tmp_path: Path) -> None:
    path = tmp_path / "pacs002.xml"
    path.write_text(
        '<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:'
        'pacs.002.001.10"><FIToFIPmtStsRpt><GrpHdr><MsgId>S1</MsgId></GrpHdr>'
        "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><TxSts>ACSP</TxSts>"
        "</TxInfAndSts></FIToFIPmtStsRpt></Document>", encoding="utf-8")
    error = refusal(path)
    assert error.key == "intake.iso20022.status_report"
    assert str(error) == (f"{path} is a payment status report (pacs.002): "
                          "it carries no transaction")
    assert error.message("fr") == (f"{path} est un rapport de statut de paiement (pacs.002) : "
                          "il ne contient aucune transaction")


def test_a_message_without_transactions_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "empty.xml"
    path.write_text(HEADER.format(count=0) + TRAILER, encoding="utf-8")
    assert refusal(path).key == "intake.iso20022.no_transactions"


def test_sniffing_recognises_messages_by_namespace() -> None:
    assert sniff_iso20022(HEADER.encode())
    assert sniff_iso20022(PAIN001.encode("utf-16"))
    assert sniff_iso20022(b'<Document xmlns="http://www.six-interbank-clearing.com/de/'
                          b'pain.001.001.03.ch.02.xsd">')
    assert not sniff_iso20022(b"transaction_id;booked_at;amount\n1;2025-03-01;100\n")
    assert not sniff_iso20022(b'<?xml version="1.0"?><report><rentity_id>1</rentity_id>')
    assert not sniff_iso20022(b"{1:F01BANKBEBBAXXX0000000000}{2:I103BANKDEFFXXXXN}")


# -- the real samples -----------------------------------------------------------------
SAMPLES = "payment_messages/iso20022"


@pytest.mark.shared
@pytest.mark.parametrize(("name", "expected"), [
    ("cbprplus_y2026_pacs.008.min.xml", {
        "transaction_id": "00000000-0000-4000-b221-3244f5d5c293", "amount": "1000.00",
        "currency": "EUR", "booked_at": "2026-01-01", "originator_name": "EXAMPLE PARTY NV",
        "originator_bic": "ZABCGB9AXXX", "beneficiary_bic": "OPQRUSUVXXX"}),
    ("cbprplus_y2026_pacs.008_stp.min.xml", {
        "beneficiary_account": "GB91VWXY45678956789012", "beneficiary_country": "GB",
        "originator_bic": "OPQRGBGHXXX", "beneficiary_bic": "DEFGUSDEXXX"}),
    ("cbprplus_y2026_pacs.008.max.xml", {
        "originator_name": "EXNm", "originator_birth_date": "2026-01-01",
        "originator_bic": "BCDEGB34XXX", "beneficiary_bic": "QRSTUSOPXXX"}),
    ("cbprplus_y2026_pacs.009_cov.min.xml", {
        "channel": "pacs.009 COV", "originator_name": "EXAMPLE PARTY NV",
        "beneficiary_name": "EXAMPLE PARTY NV", "originator_bic": "ABCDGBWXXXX"}),
    ("cbprplus_y2026_pain.001.min.xml", {
        "originator_account": "GB87UVWX12345623456789", "amount": "1000.00",
        "booked_at": "2026-01-01"}),
    ("cbprplus_y2026_pain.001.max.xml", {"purpose": "EXUstrd", "channel": "pain.001"}),
    ("phoughton_CBPR2025.PACS008-MinMax-0023.xml", {
        "originator_name": "Dave", "originator_account": "BE24290035852938",
        "beneficiary_account": "SE1650000000052504012345", "amount": "2.34"}),
    ("phoughton_cbprplus_pacs008_2025.xml", {
        "originator_name": "Debtor Co", "originator_country": "RO",
        "beneficiary_name": "Supplier B", "beneficiary_country": "CH",
        "amount": "12000000", "currency": "RON", "beneficiary_bic": "WBANRO22",
        "originator_account": "25698745"}),
    ("phoughton_pacs008_credit_transfer_sample.xml", {
        "transaction_id": "a1b2c3d4-e5f6-4890-abcd-ef1234567890", "amount": "750000",
        "originator_country": "DE", "beneficiary_country": "ES", "originator_bic": "FNTXDE2X"}),
    ("phoughton_pacs009_fi_transfer_sample.xml", {
        "channel": "pacs.009", "amount": "45000000", "currency": "JPY",
        "originator_bic": "KRMTJP2X", "beneficiary_bic": "PLNFSGSX"}),
    ("phoughton_pacs004_payment_return_sample.xml", {
        "transaction_id": "RTR20260413-3390", "channel": "pacs.004", "amount": "125000",
        "currency": "GBP", "booked_at": "2026-04-13", "originator_bic": "RVNTGB2L"}),
    ("phoughton_pain001_credit_initiation_sample.xml", {
        "transaction_id": "e5f6a7b8-c9d0-4234-ab12-345678901234", "amount": "320000",
        "currency": "AUD", "booked_at": "2026-04-14", "originator_account": "60438291",
        "beneficiary_account": "GB29NWBK60161331926819", "beneficiary_bic": "CVNBSGSX"}),
    ("moov_International_payment_RUB_naujas_1.xml", {
        "originator_name": "IMONE X", "beneficiary_name": "COMPANY Z", "amount": "1000.00",
        "currency": "RUB", "purpose": "PREPAYMENT RUB 1000,00", "originator_bic": "CBSBLT26XXX"}),
    ("moov_International_payment_USD_naujas_1.xml", {
        "amount": "111.11", "currency": "USD", "beneficiary_bic": "BKTRUS33"}),
    ("moov_sepa_payment_naujas_1.xml", {
        "beneficiary_name": "IMONE Z", "beneficiary_country": "LT", "amount": "99.99",
        "beneficiary_bic": "SMPOLT22"}),
])
def test_real_samples_give_their_transaction(shared_data: Path, name: str,
                                             expected: dict[str, str]) -> None:
    batch = read_iso20022(shared_data / SAMPLES / name)
    assert batch.frame.height == 1
    row = batch.frame.row(0, named=True)
    assert {key: row[key] for key in expected} == expected
    assert all(row[key] for key in ("transaction_id", "booked_at", "amount", "currency"))
    assert batch.unmapped  # every sample has elements not read (group header ids…)


@pytest.mark.shared
def test_the_swiss_pain001_file_gives_its_eight_transfers(shared_data: Path) -> None:
    frame = read_iso20022(shared_data / SAMPLES / "moov_musterfile_pain.001_Nov2020.xml").frame
    assert frame.height == 8
    assert frame["originator_name"][0] == "Robert Schneider"
    assert frame["beneficiary_name"][0] == "Maria Bernasconi"
    assert frame["amount"].to_list()[:3] == ["6.20", "1.80", "12.00"]
    assert set(frame["currency"]) == {"CHF"}
    assert frame["source_ref"][7].endswith("/PmtInf[5]/CdtTrfTxInf[2]")


@pytest.mark.shared
def test_every_sample_loads_or_is_refused_in_one_line(shared_data: Path) -> None:
    refused = {}
    for path in sorted((shared_data / SAMPLES).glob("*.xml")):
        assert sniff_iso20022(path.read_bytes()[:4096]), path.name
        try:
            assert read_iso20022(path).frame.height >= 1
        except IngestError as exc:
            refused[path.name] = str(exc)
    assert list(refused) == ["phoughton_pacs002_status_report_sample.xml"]
    assert refused["phoughton_pacs002_status_report_sample.xml"].endswith(
        "is a payment status report (pacs.002): it carries no transaction")


def test_records_of_one_shape_read_by_its_pattern_keep_their_own_values(
        tmp_path: Path) -> None:
    """After the second record of a shape, records are read by the shape's compiled
    pattern: each keeps its own values, in the order of its elements."""
    names = [f"Client {i:03d}" for i in range(40)]
    path = tmp_path / "many.xml"
    path.write_text(HEADER.format(count=40) + "".join(
        transfer(i, name, f"Fournisseur {i}", str(1000 + i)) for i, name in enumerate(names))
        + TRAILER, encoding="utf-8")
    batch = read_iso20022(path)
    assert batch.frame["originator_name"].to_list() == names
    assert batch.frame["beneficiary_name"][39] == "Fournisseur 39"
    assert batch.frame["amount"].to_list() == [str(1000 + i) for i in range(40)]
    assert set(batch.frame["currency"]) == {"XOF"}
    assert batch.frame["purpose"][17] == "Achat bétail lot 17"
    assert batch.unmapped["CdtTrfTxInf/ChrgBr"] == 40


def test_interleaved_shapes_with_as_many_tags_each_read_right(tmp_path: Path) -> None:
    """Three shapes taking turns, two of them with the same number of tags: each record
    is read by its own shape's pattern."""
    extras = ["", "<p:Purp><p:Cd>SUPP</p:Cd></p:Purp>",
              "<p:InstrForCdtrAgt><p:InstrInf>TEL</p:InstrInf></p:InstrForCdtrAgt>"]
    path = tmp_path / "interleaved.xml"
    path.write_text(HEADER.format(count=30) + "".join(
        transfer(i, f"Client {i}", f"Fournisseur {i}", str(500 + i), extra=extras[i % 3])
        for i in range(30)) + TRAILER, encoding="utf-8")
    batch = read_iso20022(path)
    assert batch.frame["originator_name"].to_list() == [f"Client {i}" for i in range(30)]
    assert batch.frame["amount"].to_list() == [str(500 + i) for i in range(30)]
    assert batch.frame["purpose"][29] == "Achat bétail lot 29"
    assert batch.unmapped["CdtTrfTxInf/Purp/Cd"] == 10
    assert batch.unmapped["CdtTrfTxInf/InstrForCdtrAgt/InstrInf"] == 10


def test_other_iso_messages_and_oversized_elements_are_refused(
        tmp_path: Path, pacs008: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "camt056.xml"
    path.write_text('<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.056.001.08">'
                    "<FIToFIPmtCxlReq/></Document>", encoding="utf-8")
    error = refusal(path)
    assert error.key == "intake.iso20022.unsupported"
    assert "camt.056" in str(error)
    assert "pacs.008, pacs.009, pacs.004, pain.001" in str(error)
    monkeypatch.setattr(xml_records, "BLOCK", 64)
    monkeypatch.setattr(xml_records, "MAX_ELEMENT", 400)
    error = refusal(pacs008)
    assert error.key == "intake.xml.too_large"
    assert "CdtTrfTxInf[1]" in error.params["xpath"]
    assert refusal(tmp_path / "missing.xml").key == "intake.unreadable"


@pytest.mark.parametrize(("declared", "encoding"), [("UTF-16", "utf-16"),
                                                    ("ISO-8859-1", "latin-1")])
def test_files_in_their_declared_encoding(tmp_path: Path, declared: str,
                                          encoding: str) -> None:
    path = tmp_path / "pain001.xml"
    path.write_bytes(PAIN001.replace("UTF-8", declared).encode(encoding))
    frame = read_iso20022(path).frame
    assert frame["beneficiary_name"].to_list() == ["Adama Konaté", "Kadiatou Sangaré",
                                                   "Alcatel Submarine Networks"]
