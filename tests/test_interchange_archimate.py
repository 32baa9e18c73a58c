"""kg.interchange.archimate: exchange files (2.1 and 3.x) read whole, and bad ones refused with
the file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.interchange import safexml
from kg.interchange.archimate import ExchangeError, Text, read_exchange, read_exchange_text
from kg.interchange.safexml import XMLInputError

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="id-model">
"""

FULL = (
    HEAD
    + """  <name xml:lang="en">Alpina</name>
  <name xml:lang="de">Alpina AG</name>
  <documentation xml:lang="en">A telco.</documentation>
  <properties>
    <property propertyDefinitionRef="pd-owner"><value xml:lang="en">EA team</value></property>
  </properties>
  <elements>
    <element identifier="e-actor" xsi:type="BusinessActor">
      <name xml:lang="en">Families</name><name xml:lang="fr">Familles</name>
      <documentation xml:lang="en">Households with children.</documentation>
      <properties>
        <property propertyDefinitionRef="pd-size"><value>900000</value></property>
      </properties>
    </element>
    <element identifier="e-service" xsi:type="BusinessService"><name>Number porting</name></element>
    <element identifier="e-app" xsi:type="ApplicationComponent"><name>CRM</name></element>
    <element identifier="e-data" xsi:type="DataObject"><name>Customer record</name></element>
    <element identifier="e-driver" xsi:type="Driver"><name>Fibre competition</name></element>
    <element identifier="e-goal" xsi:type="Goal"><name>Grow 4%</name></element>
    <element identifier="e-and" xsi:type="AndJunction"/>
  </elements>
  <relationships>
    <relationship identifier="r-serve" xsi:type="Serving" source="e-service" target="e-actor"/>
    <relationship identifier="r-access" xsi:type="Access" source="e-app" target="e-data"
                  accessType="ReadWrite"><name>keeps</name></relationship>
    <relationship identifier="r-influence" xsi:type="Influence" source="e-driver" target="e-goal"
                  modifier="++"/>
    <relationship identifier="r-assoc" xsi:type="Association" source="e-actor" target="r-serve"
                  isDirected="true"/>
    <relationship identifier="r-j1" xsi:type="Serving" source="e-app" target="e-and"/>
    <relationship identifier="r-j2" xsi:type="Serving" source="e-and" target="e-service"/>
  </relationships>
  <organizations>
    <item>
      <label xml:lang="en">Business</label>
      <item identifierRef="e-actor"/>
      <item><label xml:lang="en">Services</label><item identifierRef="e-service"/></item>
    </item>
  </organizations>
  <propertyDefinitions>
    <propertyDefinition identifier="pd-owner" type="string">
      <name xml:lang="en">Owner</name>
    </propertyDefinition>
    <propertyDefinition identifier="pd-size" type="number">
      <name xml:lang="en">Size</name>
    </propertyDefinition>
  </propertyDefinitions>
  <views>
    <diagrams>
      <view identifier="v-1" xsi:type="Diagram">
        <name xml:lang="en">Porting</name>
        <node identifier="n-1" elementRef="e-service" xsi:type="Element" x="0" y="0" w="120" h="55">
          <node identifier="n-2" elementRef="e-actor" xsi:type="Element"
                x="10" y="10" w="120" h="55"/>
        </node>
        <node identifier="n-3" xsi:type="Label" x="0" y="90" w="120" h="30">
          <label>note</label>
        </node>
        <connection identifier="c-1" relationshipRef="r-serve" xsi:type="Relationship"
                    source="n-1" target="n-2"/>
      </view>
    </diagrams>
  </views>
</model>
"""
)

LEGACY = """<?xml version="1.0" encoding="UTF-8"?>
<model xmlns="http://www.opengroup.org/xsd/archimate"
       xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" identifier="m21">
  <name>Old model</name>
  <elements>
    <element identifier="a" xsi:type="BusinessActor">
      <label xml:lang="en">Customer</label>
      <properties><property identifierref="p1"><value>yes</value></property></properties>
    </element>
    <element identifier="b" xsi:type="BusinessRole"><label>Buyer</label></element>
  </elements>
  <relationships>
    <relationship identifier="r" xsi:type="AssignmentRelationship" source="a" target="b"/>
  </relationships>
  <organization>
    <item><label>Actors</label><item identifierref="a"/></item>
  </organization>
  <propertydefs><propertydef identifier="p1" name="Key" type="string"/></propertydefs>
  <views>
    <view identifier="v"><label>Main</label>
      <node identifier="n" elementref="a"><node identifier="n2" elementref="b"/></node>
      <connection identifier="c" relationshipref="r" source="n" target="n2"/>
    </view>
  </views>
</model>
"""


def test_a_3x_file_is_read_whole() -> None:
    model = read_exchange_text(FULL, "full.xml")
    assert model.version == "3.x" and model.identifier == "id-model"
    assert model.names == (Text("Alpina", "en"), Text("Alpina AG", "de"))
    assert [p.name for p in model.property_definitions] == ["Owner", "Size"]
    assert model.properties[0].values == (Text("EA team", "en"),)
    types = [e.type for e in model.elements]
    assert types == [
        *("BusinessActor", "BusinessService", "ApplicationComponent", "DataObject"),
        *("Driver", "Goal", "AndJunction"),
    ]
    actor = model.elements[0]
    assert actor.names == (Text("Families", "en"), Text("Familles", "fr"))
    assert actor.name == "Families" and actor.line == 11
    assert actor.documentation == (Text("Households with children.", "en"),)
    assert actor.properties[0].definition == "pd-size"
    assert actor.properties[0].values == (Text("900000"),)
    by_id = {r.identifier: r for r in model.relationships}
    assert by_id["r-access"].access_type == "ReadWrite" and by_id["r-access"].name == "keeps"
    assert by_id["r-influence"].modifier == "++"
    assert by_id["r-assoc"].is_directed is True and by_id["r-assoc"].target == "r-serve"
    assert model.concept("r-serve") is by_id["r-serve"]
    [business] = model.organizations
    assert business.labels == (Text("Business", "en"),) and business.refs == ("e-actor",)
    assert business.folders[0].refs == ("e-service",)
    [view] = model.views
    assert view.elements == ("e-service", "e-actor") and view.relationships == ("r-serve",)


def test_a_21_file_is_read_with_its_own_spelling() -> None:
    model = read_exchange_text(LEGACY, "old.xml")
    assert model.version == "2.1"
    assert [(e.identifier, e.name) for e in model.elements] == [("a", "Customer"), ("b", "Buyer")]
    assert model.elements[0].properties[0].definition == "p1"
    assert model.property_definitions[0].name == "Key"
    assert [(r.type, r.source, r.target) for r in model.relationships] == [("Assignment", "a", "b")]
    assert model.organizations[0].refs == ("a",)
    assert model.views[0].elements == ("a", "b") and model.views[0].relationships == ("r",)


def test_a_file_on_disk(tmp_path: Path) -> None:
    path = tmp_path / "model.xml"
    path.write_text(FULL, encoding="utf-8")
    assert len(read_exchange(path).elements) == 7


BOMB = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&lol2;</name></model>
"""
XXE = """<?xml version="1.0"?>
<!DOCTYPE m [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<model xmlns="http://www.opengroup.org/xsd/archimate/3.0/"><name>&secret;</name></model>
"""


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            FULL.replace("</elements>", "</element>"),
            XMLInputError,
            r"bad\.xml:\d+:\d+: malformed XML",
        ),
        (BOMB, XMLInputError, r"bad\.xml:\d+: refused: the file declares entities"),
        (XXE, XMLInputError, "refused: the file declares entities"),
        (
            '<model xmlns="urn:other"/>',
            ExchangeError,
            r"bad\.xml:1: not an ArchiMate exchange model: the document element is "
            r"'\{urn:other\}model'",
        ),
        (
            FULL.replace('identifier="e-app"', 'identifier="e-service"'),
            ExchangeError,
            r"bad\.xml:19: the identifier 'e-service' is used again \(first on line 18\)",
        ),
        (
            FULL.replace('target="e-goal"', 'target="e-nowhere"'),
            ExchangeError,
            r"bad\.xml:\d+: the relationship 'r-influence' has as its target 'e-nowhere', which is "
            "no element",
        ),
        (
            FULL.replace('propertyDefinitionRef="pd-size"', 'propertyDefinitionRef="pd-nope"'),
            ExchangeError,
            "'e-actor' has a property of the definition 'pd-nope', which the file does not define",
        ),
        (
            FULL.replace('elementRef="e-actor"', 'elementRef="e-ghost"'),
            ExchangeError,
            "the view 'v-1' shows 'e-ghost', which is no element",
        ),
        (
            FULL.replace(' xsi:type="DataObject"', ""),
            ExchangeError,
            r"bad\.xml:20:5: an element without xsi:type",
        ),
    ],
    ids=[
        "malformed",
        "entity-expansion",
        "external-entity",
        "other-root",
        "duplicate-identifier",
        "dangling-end",
        "undefined-property",
        "view-of-nothing",
        "untyped-element",
    ],
)
def test_bad_files_are_refused_with_file_and_line(
    text: str, error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        read_exchange_text(text, "bad.xml")


def test_a_file_too_large_is_refused_before_it_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.xml"
    path.write_text(FULL, encoding="utf-8")
    monkeypatch.setattr(safexml, "MAX_BYTES", 1000)
    with pytest.raises(XMLInputError, match=r"big\.xml: \d,\d{3} bytes, more than the 1,000"):
        read_exchange(path)


def test_a_wrong_encoding_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "latin.xml"
    path.write_bytes(FULL.replace("Familles", "Famílles").encode("latin-1"))
    with pytest.raises(XMLInputError, match=r"latin\.xml:\d+:\d+: malformed XML"):
        read_exchange(path)


def test_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(XMLInputError, match="nothing.xml: cannot be read"):
        read_exchange(tmp_path / "nothing.xml")
