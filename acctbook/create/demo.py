"""Demo data for `acctbook new --demo`: one Israeli account manager's book.

The same `today` and seed always give the same rows: randomness comes from
random.Random(seed) only, and every date is an offset from `today`, never the
clock. Most clients get two years of plausible, randomly drawn history; a few
*scenario* clients (DEMO_SCENARIOS) are built by hand so that, as of `today`,
every follow-up rule of SPEC section 3 is some client's earliest candidate and
every risk condition of section 5 holds for some client.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import re
from dataclasses import dataclass, field

import holidays as _holidays
import numpy as np
import phonenumbers

from acctbook.book import schema
from acctbook.book.identity import il_number_complete

DEMO_SEED = 7

Rows = dict[str, list[dict]]

SEGMENTS = ("Laboratories", "Manufacturing", "Healthcare", "Food & beverage", "Academia",
            "Public sector")
MANAGER = "Noa Levi"
MANAGER_EMAIL = "noa.levi@galil-labsupply.co.il"

# Which client plays which scenario: rule or risk condition -> Client ID.
DEMO_SCENARIOS: dict[str, str] = {}   # filled below, once the client list is numbered

# --- the catalogue ----------------------------------------------------------------------
# (SKU, name, category, list price, unit, launched days ago, active)
_PRODUCTS = (
    ("LAB-BAL-220", "Analytical balance 220 g", "Lab equipment", 14500.0, "unit", 2900, True),
    ("LAB-PH-300", "Benchtop pH meter PH-300", "Lab equipment", 3900.0, "unit", 420, True),
    ("LAB-PH-200", "Benchtop pH meter PH-200", "Lab equipment", 3200.0, "unit", 3400, False),
    ("LAB-CEN-24", "Laboratory centrifuge, 24 places", "Lab equipment", 21000.0, "unit", 2500,
     True),
    ("LAB-FH-150", "Fume hood 1.5 m", "Lab equipment", 68000.0, "unit", 3100, True),
    ("LAB-REF-400", "Laboratory refrigerator 400 L", "Lab equipment", 18500.0, "unit", 1900,
     True),
    ("LAB-SPEC-UV", "UV-Vis spectrophotometer", "Lab equipment", 82000.0, "unit", 1500, True),
    ("LAB-PIP-SET", "Pipette set, 4 pipettes", "Lab equipment", 1250.0, "set", 2200, True),
    ("CON-GLV-100", "Nitrile gloves, box of 100", "Consumables", 38.0, "box", 3600, True),
    ("CON-TIP-1K", "Pipette tips, pack of 1000", "Consumables", 145.0, "pack", 3000, True),
    ("CON-COAT", "Lab coat", "Consumables", 95.0, "unit", 3300, True),
    ("SAF-GOG-10", "Safety goggles, pack of 10", "Safety", 240.0, "pack", 2800, True),
    ("IND-CMP-50", "Air compressor 50 L", "Industrial", 6800.0, "unit", 2600, True),
    ("IND-VAC-30", "Industrial vacuum cleaner 30 L", "Industrial", 4900.0, "unit", 2300, True),
    ("IND-PJ-25", "Pallet jack 2.5 t", "Industrial", 3200.0, "unit", 3500, True),
    ("IND-WB-ESD", "ESD workbench 180 cm", "Industrial", 5600.0, "unit", 1700, True),
    ("OFF-CHR-ERG", "Ergonomic office chair", "Office", 1650.0, "unit", 2000, True),
    ("OFF-SHR-P5", "Document shredder P-5", "Office", 2900.0, "unit", 2400, True),
    ("OFF-LBL-PRT", "Industrial label printer", "Office", 2400.0, "unit", 75, True),
    ("SRV-CAL", "Annual calibration visit", "Service", 1800.0, "visit", 2700, True),
)
_PH200_RETIRED_DAYS = 430   # the old pH meter stopped selling when PH-300 came out

_SEGMENT_CATEGORIES = {
    "Laboratories": ("Lab equipment", "Consumables", "Safety", "Service"),
    "Manufacturing": ("Industrial", "Safety", "Consumables", "Office"),
    "Healthcare": ("Lab equipment", "Consumables", "Safety", "Service"),
    "Food & beverage": ("Lab equipment", "Consumables", "Industrial", "Safety"),
    "Academia": ("Lab equipment", "Consumables", "Office", "Service"),
    "Public sector": ("Office", "Safety", "Industrial"),
}

# --- competitors and events --------------------------------------------------------------
_COMPETITORS = (
    ("Lapidot Scientific", "Laboratories, Healthcare", "Wide lab catalogue; own service team",
     "Slow deliveries outside the Center", "Clients unhappy with their lead times",
     "Aggressive tenders for hospitals", "Similar", "Main rival in labs"),
    ("TechnoLab Israel", "Laboratories, Academia", "Exclusive agency for two instrument brands",
     "Weak in consumables", "Bundle our consumables with their instruments' service",
     "Academic framework tenders", "Higher", ""),
    ("Merkaz HaTziyud", "Manufacturing, Public sector", "Lowest prices on industrial items",
     "No calibration service; poor after-sales", "Service contracts win their clients",
     "Price war on pallet jacks and compressors", "Lower", "Wins on price, loses on service"),
    ("EuroLab Direct", "Laboratories, Manufacturing", "Web shop; ships across Europe",
     "No local presence in Israel", "Local stock and Hebrew support",
     "Free shipping campaigns", "Lower", "Online seller"),
    ("Sigma Office Solutions", "Public sector, Academia", "Government tender supplier",
     "Office only", "Cross-sell lab and safety items to their office clients",
     "Bundled office fit-outs", "Similar", ""),
)
_LOST_REASONS = ("Price", "Lead time", "Chose a competitor's brand", "Budget cut",
                 "Project cancelled", "Tender lost")

# (name, type, days ago (negative = upcoming), location)
_EVENTS = (
    ("Lab Expo Tel Aviv", "Exhibition", 640, "Expo Tel Aviv"),
    ("Israel Industry Fair", "Fair", 520, "Haifa International Convention Center"),
    ("Product presentation: analytical balances", "Presentation", 400, "Showroom, Rosh HaAyin"),
    ("Webinar: fume hood safety compliance", "Webinar", 300, "Online"),
    ("Lab Expo Tel Aviv", "Exhibition", 275, "Expo Tel Aviv"),
    ("LabTech Europe", "Exhibition", 180, "Munich"),
    ("Webinar: new industrial label printer", "Webinar", 45, "Online"),
    ("Lab Expo Tel Aviv", "Exhibition", -40, "Expo Tel Aviv"),
)

# --- places: city -> (country, region, Hebrew name, phone prefix, national length) -----------
_CITIES = {
    "Tel Aviv": ("IL", "Center", "תל אביב", "3", 8),
    "Petah Tikva": ("IL", "Center", "פתח תקווה", "3", 8),
    "Rosh HaAyin": ("IL", "Center", "ראש העין", "3", 8),
    "Rehovot": ("IL", "Center", "רחובות", "8", 8),
    "Modiin": ("IL", "Center", "מודיעין", "8", 8),
    "Haifa": ("IL", "North", "חיפה", "4", 8),
    "Yokneam": ("IL", "North", "יקנעם", "4", 8),
    "Karmiel": ("IL", "North", "כרמיאל", "4", 8),
    "Afula": ("IL", "North", "עפולה", "4", 8),
    "Jerusalem": ("IL", "Jerusalem", "ירושלים", "2", 8),
    "Beersheba": ("IL", "South", "באר שבע", "8", 8),
    "Ashdod": ("IL", "South", "אשדוד", "8", 8),
    "Kiryat Gat": ("IL", "South", "קריית גת", "8", 8),
    "Eilat": ("IL", "South", "אילת", "8", 8),
    "Netanya": ("IL", "Sharon", "נתניה", "9", 8),
    "Herzliya": ("IL", "Sharon", "הרצליה", "9", 8),
    "Kfar Saba": ("IL", "Sharon", "כפר סבא", "9", 8),
    "Boston": ("US", "Massachusetts", "", "617", 10),
    "San Diego": ("US", "California", "", "858", 10),
    "Chicago": ("US", "Illinois", "", "312", 10),
    "Cologne": ("DE", "NRW", "", "221", 10),
    "Munich": ("DE", "Bavaria", "", "89", 10),
    "Hamburg": ("DE", "Hamburg", "", "40", 10),
    "Reading": ("GB", "England", "", "118", 10),
    "Leeds": ("GB", "England", "", "113", 10),
    "Cambridge": ("GB", "England", "", "1223", 10),
    "Lyon": ("FR", "Auvergne-Rhône-Alpes", "", "4", 9),
    "Rouen": ("FR", "Normandy", "", "2", 9),
    "Delft": ("NL", "South Holland", "", "15", 9),
    "Rotterdam": ("NL", "South Holland", "", "10", 9),
    "Limassol": ("CY", "Limassol", "", "25", 8),
    "Nicosia": ("CY", "Nicosia", "", "22", 8),
    "Bologna": ("IT", "Emilia-Romagna", "", "051", 10),
    "Valencia": ("ES", "Valencia", "", "96", 9),
    "Vienna": ("AT", "Vienna", "", "1", 8),
}
_STREETS = {
    "IL": ("HaTaasiya", "HaMelacha", "HaBarzel", "HaCharash", "Ha'Amal", "Jabotinsky", "Herzl"),
    "IL-he": ("התעשייה", "המלאכה", "הברזל", "החרש", "העמל", "ז'בוטינסקי", "הרצל"),
    "US": ("Commerce Drive", "Industrial Way", "Main Street"),
    "DE": ("Industriestraße", "Gewerbering", "Hafenstraße"),
    "GB": ("Station Road", "Mill Lane", "Enterprise Way"),
    "FR": ("rue de l'Industrie", "avenue Jean Jaurès", "rue des Artisans"),
    "NL": ("Industrieweg", "Havenstraat", "Molenweg"),
    "CY": ("Makariou Avenue", "Gladstonos Street", "Arch. Kyprianou Street"),
    "IT": ("Via dell'Industria", "Via Emilia", "Via del Lavoro"),
    "ES": ("Calle de la Industria", "Avenida del Puerto", "Calle Mayor"),
    "AT": ("Industriestraße", "Hauptstraße", "Gewerbepark"),
}
_FOREIGN_NUMBER = {   # their own registry formats; acctbook only checks Israeli numbers
    "DE": lambda r: f"HRB {r.randint(10000, 99999)}",
    "GB": lambda r: f"{r.randint(1000000, 9999999):08d}",
    "NL": lambda r: f"{r.randint(10000000, 99999999)}",
    "CY": lambda r: f"HE {r.randint(100000, 499999)}",
    "FR": lambda r: f"RCS {r.randint(300, 999)} {r.randint(100, 999)} {r.randint(100, 999)}",
}

# --- the clients ---------------------------------------------------------------------
# (role, name, legal name, city, domain, segment, language). Roles: key/big/mid/small are
# active clients by size; prospect/dormant/lost by status; the rest are scenarios.
_CLIENTS = (
    ("key", "Negev Semiconductors", "Negev Semiconductors Ltd", "Kiryat Gat", "negevsemi.co.il",
     "Manufacturing", "en"),
    ("cadence", "מרכז רפואי השרון", "מרכז רפואי השרון בע\"מ", "Netanya", "sharon-med.org.il",
     "Healthcare", "he"),
    ("key", "רימון תרופות", "רימון תרופות גנריות בע\"מ", "Rehovot", "rimon-pharma.co.il",
     "Laboratories", "he"),
    ("big", "Carmel Diagnostics", "Carmel Diagnostics Ltd", "Haifa", "carmeldx.co.il",
     "Healthcare", "en"),
    ("renewal", "כרמל תעשיות פלסטיק", "כרמל תעשיות פלסטיק בע\"מ", "Yokneam",
     "carmel-plastics.co.il", "Manufacturing", "he"),
    ("big", "Yarkon BioLabs", "Yarkon BioLabs Ltd", "Petah Tikva", "yarkonbio.co.il",
     "Laboratories", "he"),
    ("big", "מחלבות עמק חפר", "מחלבות עמק חפר בע\"מ", "Kfar Saba", "hefer-dairy.co.il",
     "Food & beverage", "he"),
    ("complaint", "מעבדות גליל מערבי", "מעבדות גליל מערבי בע\"מ", "Karmiel", "galil-labs.co.il",
     "Laboratories", "he"),
    ("payment", "Orion Optics Israel", "Orion Optics Israel Ltd", "Rehovot", "orion-optics.co.il",
     "Manufacturing", "en"),
    ("delivery", "נגב כימיקלים", "נגב כימיקלים בע\"מ", "Beersheba", "negev-chem.co.il",
     "Manufacturing", "he"),
    ("promise", "הדר מעבדות איכות", "הדר מעבדות איכות בע\"מ", "Rosh HaAyin", "hadar-qa.co.il",
     "Laboratories", "he"),
    ("retry", "Sharon Plastics", "Sharon Plastics Ltd", "Herzliya", "sharonplastics.co.il",
     "Manufacturing", "he"),
    ("high_overdue", "Tavor Medical Devices", "Tavor Medical Devices Ltd", "Afula",
     "tavormed.co.il", "Healthcare", "en"),
    ("high_credit", "תבור מתכת ועיבוד שבבי", "תבור מתכת ועיבוד שבבי בע\"מ", "Haifa",
     "tavor-metal.co.il", "Manufacturing", "he"),
    ("two_complaints", "אופק מזון ומשקאות", "אופק מזון ומשקאות בע\"מ", "Ashdod", "ofek-food.co.il",
     "Food & beverage", "he"),
    ("drop", "BlueSky Water Technologies", "BlueSky Water Technologies Ltd", "Modiin",
     "bluesky-water.co.il", "Manufacturing", "en"),
    ("mid", "מכון ארזים לבדיקות", "מכון ארזים לבדיקות בע\"מ", "Jerusalem", "arazim-lab.co.il",
     "Laboratories", "he"),
    ("mid", "Hermon Analytical", "Hermon Analytical Ltd", "Yokneam", "hermon-analytical.co.il",
     "Laboratories", "en"),
    ("mid", "אלון אלקטרוניקה", "אלון אלקטרוניקה בע\"מ", "Petah Tikva", "alon-elec.co.il",
     "Manufacturing", "he"),
    ("mid", "Jerusalem Pharma Labs", "Jerusalem Pharma Labs Ltd", "Jerusalem", "jpl-labs.co.il",
     "Laboratories", "he"),
    ("mid", "גלבוע אריזות", "גלבוע אריזות בע\"מ", "Afula", "gilboa-pack.co.il",
     "Manufacturing", "he"),
    ("mid", "מכללת יזרעאל", "מכללת יזרעאל", "Afula", "yizrael-college.ac.il", "Academia", "he"),
    ("small", "שקד מערכות מיזוג", "שקד מערכות מיזוג בע\"מ", "Petah Tikva", "shaked-ac.co.il",
     "Manufacturing", "he"),
    ("small", "מאפיות שיבולת", "מאפיות שיבולת בע\"מ", "Jerusalem", "shibolet-bakery.co.il",
     "Food & beverage", "he"),
    ("small", "עיריית כפר סבא — מחלקת רכש", "עיריית כפר סבא", "Kfar Saba", "ksaba.muni.il",
     "Public sector", "he"),
    ("small", "Arava Agritech", "Arava Agritech Ltd", "Eilat", "arava-agritech.co.il",
     "Food & beverage", "en"),
    ("small", "ארבל ביוטק", "ארבל ביוטק בע\"מ", "Karmiel", "arbel-biotech.co.il", "Laboratories",
     "he"),
    ("small", "Kinneret Dairy", "Kinneret Dairy Ltd", "Haifa", "kinneret-dairy.co.il",
     "Food & beverage", "he"),
    ("small", "דקל שירותי מעבדה", "דקל שירותי מעבדה בע\"מ", "Beersheba", "dekel-lab.co.il",
     "Laboratories", "he"),
    ("small", "Ashdod Port Logistics", "Ashdod Port Logistics Ltd", "Ashdod", "apl-logistics.co.il",
     "Public sector", "he"),
    ("small", "חרמון קוסמטיקה", "חרמון קוסמטיקה בע\"מ", "Herzliya", "hermon-cosmetics.co.il",
     "Manufacturing", "he"),
    ("small", "Eilat Marine Research Institute", "Eilat Marine Research Institute", "Eilat",
     "emri.ac.il", "Academia", "en"),
    ("prospect", "Modiin Data Centers", "Modiin Data Centers Ltd", "Modiin", "modiin-dc.co.il",
     "Manufacturing", "en"),
    ("prospect", "מגדל אור הנדסה", "מגדל אור הנדסה בע\"מ", "Netanya", "migdalor-eng.co.il",
     "Manufacturing", "he"),
    ("prospect", "ים סוף מים ומיחזור", "ים סוף מים ומיחזור בע\"מ", "Eilat", "yamsuf-water.co.il",
     "Public sector", "he"),
    ("prospect", "Galilee Olive Oil Press", "Galilee Olive Oil Press Ltd", "Karmiel",
     "galilee-olive.co.il", "Food & beverage", "he"),
    ("dormant", "שפירא ציוד רפואי", "שפירא ציוד רפואי בע\"מ", "Tel Aviv", "shapira-med.co.il",
     "Healthcare", "he"),
    ("dormant", "Gilboa Energy Systems", "Gilboa Energy Systems Ltd", "Afula",
     "gilboa-energy.co.il",
     "Manufacturing", "en"),
    ("lost", "נחשון מעבדות שיניים", "נחשון מעבדות שיניים בע\"מ", "Tel Aviv",
     "nachshon-dental.co.il",
     "Healthcare", "he"),
    ("lost", "Hadera Paper Converting", "Hadera Paper Converting Ltd", "Netanya",
     "hadera-converting.co.il", "Manufacturing", "he"),
    # international
    ("stale", "Rheinland Prüftechnik", "Rheinland Prüftechnik GmbH", "Cologne",
     "rheinland-pruef.de", "Laboratories", "en"),
    ("big", "Delft Instrumenten", "Delft Instrumenten B.V.", "Delft", "delft-instrumenten.nl",
     "Laboratories", "en"),
    ("mid", "Brookline Analytical", "Brookline Analytical Inc.", "Boston",
     "brooklineanalytical.com",
     "Laboratories", "en"),
    ("mid", "Thames Valley Diagnostics", "Thames Valley Diagnostics Ltd", "Reading",
     "tvdiagnostics.co.uk", "Healthcare", "en"),
    ("mid", "Laboratoires Rhône-Alpes", "Laboratoires Rhône-Alpes SAS", "Lyon",
     "labo-rhonealpes.fr", "Laboratories", "en"),
    ("mid", "Limassol Marine Services", "Limassol Marine Services Ltd", "Limassol",
     "limassol-marine.com.cy", "Manufacturing", "en"),
    ("small", "Pacific Coast Labs", "Pacific Coast Labs LLC", "San Diego", "pacificcoastlabs.com",
     "Laboratories", "en"),
    ("small", "Midwest Precision Parts", "Midwest Precision Parts Corp.", "Chicago",
     "midwestprecision.com", "Manufacturing", "en"),
    ("small", "Bayern Labortechnik", "Bayern Labortechnik GmbH", "Munich", "bayern-labor.de",
     "Laboratories", "en"),
    ("small", "Hansa Industriebedarf", "Hansa Industriebedarf GmbH", "Hamburg", "hansa-ib.de",
     "Manufacturing", "en"),
    ("small", "Northern Fabrication", "Northern Fabrication plc", "Leeds", "northernfab.co.uk",
     "Manufacturing", "en"),
    ("small", "Cambridge Assay Services", "Cambridge Assay Services Ltd", "Cambridge",
     "cambridge-assay.co.uk", "Academia", "en"),
    ("small", "Nicosia Medical Labs", "Nicosia Medical Labs Ltd", "Nicosia", "nml.com.cy",
     "Healthcare", "en"),
    ("small", "Laboratori Emilia", "Laboratori Emilia S.r.l.", "Bologna", "laboratori-emilia.it",
     "Laboratories", "en"),
    ("prospect", "Rotterdam Process Supplies", "Rotterdam Process Supplies B.V.", "Rotterdam",
     "rps-supplies.nl", "Manufacturing", "en"),
    ("prospect", "Wiener Messtechnik", "Wiener Messtechnik GmbH", "Vienna", "wiener-mess.at",
     "Laboratories", "en"),
    ("dormant", "Atelier Normandie Industrie", "Atelier Normandie Industrie SARL", "Rouen",
     "atelier-normandie.fr", "Manufacturing", "en"),
    ("dormant", "Suministros Levante", "Suministros Levante S.L.", "Valencia",
     "suministros-levante.es", "Food & beverage", "en"),
    ("lost", "Chicago BioSupply", "Chicago BioSupply Inc.", "Chicago", "chicagobiosupply.com",
     "Healthcare", "en"),
    ("lost", "Cyprus Food Testing", "Cyprus Food Testing Ltd", "Nicosia", "cyfoodtest.com.cy",
     "Food & beverage", "en"),
)
# Scenario role -> the rule or risk condition it shows (the keys of DEMO_SCENARIOS).
_SCENARIO_NAMES = {
    "complaint": ("Complaint",), "payment": ("Payment", "Medium: overdue invoice"),
    "delivery": ("Delivery",), "promise": ("Promise",), "retry": ("Retry",),
    "stale": ("Stale deal",), "cadence": ("Cadence",), "renewal": ("Renewal",),
    "high_overdue": ("High: invoice over 30 days overdue",),
    "high_credit": ("High: unpaid over credit limit",),
    "two_complaints": ("Medium: two open complaints",), "drop": ("Medium: revenue drop",),
}
for _i, _c in enumerate(_CLIENTS, 1):
    for _name in _SCENARIO_NAMES.get(_c[0], ()):
        DEMO_SCENARIOS[_name] = f"C-{_i:03d}"

# Annual revenue (ILS) and orders a year by size.
_SIZES = {"key": (2_000_000, 3_200_000, 20), "big": (500_000, 900_000, 10),
          "mid": (90_000, 250_000, 6), "small": (8_000, 50_000, 3)}
_SCENARIO_SIZE = {"cadence": "key", "renewal": "big", "complaint": "mid", "payment": "small",
                  "delivery": "mid", "promise": "small", "retry": "small", "stale": "mid",
                  "high_overdue": "mid", "high_credit": "mid", "two_complaints": "mid",
                  "drop": "mid"}

# People.
_HE_FIRST = (("יוסי", "yossi"), ("מיכל", "michal"), ("אבי", "avi"), ("רונית", "ronit"),
             ("דני", "dani"), ("שירה", "shira"), ("אורי", "uri"), ("תמר", "tamar"),
             ("עמית", "amit"), ("איתי", "itai"), ("גלית", "galit"), ("משה", "moshe"),
             ("יעל", "yael"), ("אסף", "asaf"), ("ליאת", "liat"), ("עידו", "ido"),
             ("הילה", "hila"), ("רועי", "roy"), ("ענבל", "inbal"), ("חיים", "haim"))
_HE_LAST = (("כהן", "cohen"), ("לוי", "levy"), ("מזרחי", "mizrahi"), ("פרץ", "peretz"),
            ("ביטון", "biton"), ("אברהם", "avraham"), ("פרידמן", "friedman"),
            ("שפירא", "shapira"), ("אזולאי", "azulay"), ("גולן", "golan"), ("חדד", "hadad"),
            ("ברק", "barak"), ("רוזן", "rozen"), ("אשכנזי", "ashkenazi"), ("דהן", "dahan"))
_EN_FIRST = {
    "IL": ("Yossi", "Michal", "Avi", "Ronit", "Dani", "Shira", "Uri", "Tamar", "Amit", "Noam"),
    "US": ("James", "Sarah", "Michael", "Emily", "David", "Laura"),
    "GB": ("Oliver", "Emma", "Harry", "Sophie", "Thomas", "Lucy"),
    "DE": ("Lukas", "Anna", "Jonas", "Katrin", "Stefan", "Julia"),
    "AT": ("Florian", "Lena", "Markus", "Sabine"),
    "FR": ("Julien", "Camille", "Nicolas", "Claire"),
    "NL": ("Daan", "Sanne", "Pieter", "Eva"),
    "CY": ("Andreas", "Maria", "Christos", "Eleni"),
    "IT": ("Marco", "Giulia", "Luca", "Francesca"),
    "ES": ("Javier", "Lucia", "Pablo", "Carmen"),
}
_EN_LAST = {
    "IL": ("Cohen", "Levy", "Mizrahi", "Peretz", "Golan", "Barak", "Rozen", "Friedman"),
    "US": ("Miller", "Johnson", "Walker", "Carter", "Brooks"),
    "GB": ("Smith", "Taylor", "Wright", "Hughes", "Clarke"),
    "DE": ("Schmidt", "Weber", "Becker", "Hoffmann", "Wagner"),
    "AT": ("Gruber", "Huber", "Bauer", "Wimmer"),
    "FR": ("Martin", "Bernard", "Dubois", "Moreau"),
    "NL": ("de Vries", "Jansen", "Bakker", "Visser"),
    "CY": ("Georgiou", "Charalambous", "Ioannou", "Constantinou"),
    "IT": ("Rossi", "Bianchi", "Ferrari", "Romano"),
    "ES": ("Garcia", "Martinez", "Lopez", "Sanchez"),
}
_ROLES = (("Procurement manager", "מנהל רכש"), ("Lab manager", "מנהלת מעבדה"),
          ("CFO", "סמנכ\"ל כספים"), ("Operations manager", "מנהל תפעול"),
          ("Purchasing officer", "קניינית"), ("Maintenance manager", "מנהל אחזקה"),
          ("Quality manager", "מנהלת איכות"), ("CEO", "מנכ\"ל"))

# Interaction wording: outcome -> (subject en, subject he) choices, and channels it uses.
_SUBJECTS = {
    "Reached": (("Checked consumables usage", "בדיקת צריכת מתכלים"),
                ("Follow-up on last delivery", "מעקב אחרי אספקה אחרונה"),
                ("Next quarter's needs", "צרכי הרבעון הבא")),
    "No answer": (("Call: no answer", "שיחה: אין מענה"),
                  ("Tried to reach purchasing", "ניסיון להשיג את הרכש")),
    "Meeting set": (("Site visit arranged", "נקבע ביקור באתר"),
                    ("Meeting on lab upgrade", "פגישה על שדרוג המעבדה")),
    "Proposal sent": (("Price proposal sent", "נשלחה הצעת מחיר"),
                      ("Revised quote sent", "נשלחה הצעה מעודכנת")),
    "Order": (("Purchase order received", "התקבלה הזמנת רכש"),
              ("Repeat order for consumables", "הזמנה חוזרת של מתכלים")),
    "Declined": (("Not buying this quarter", "לא רוכשים ברבעון הזה"),
                 ("Budget frozen", "התקציב הוקפא")),
    "Info sent": (("Catalogue and price list sent", "נשלחו קטלוג ומחירון"),
                  ("Product datasheets sent", "נשלחו דפי מוצר")),
}
_OUTCOME_CHANNELS = {
    "Reached": ("Phone", "Phone", "Phone", "Meeting", "Chat"),
    "No answer": ("Phone", "Phone", "Phone", "Chat", "Email"),
    "Meeting set": ("Phone", "Email", "Chat"),
    "Proposal sent": ("Email", "Email", "Email", "Fax", "Meeting"),
    "Order": ("Email", "Email", "Fax", "Phone", "Chat"),
    "Declined": ("Phone", "Email", "Meeting"),
    "Info sent": ("Email", "Email", "Mail", "Fax", "Chat"),
}
_OUTCOME_WEIGHTS = (("Reached", 30), ("No answer", 10), ("Meeting set", 8),
                    ("Proposal sent", 8), ("Order", 10), ("Declined", 4), ("Info sent", 14))
_NEXT_STEPS = {
    "Meeting set": (("Meeting", "פגישה"), 3, 14),
    "Proposal sent": (("Follow up on the proposal", "מעקב אחרי ההצעה"), 5, 10),
    "Reached": (("Call back", "לחזור אליהם"), 7, 21),
    "Info sent": (("Ask for feedback on the catalogue", "לשאול על הקטלוג"), 7, 14),
}
_COMPLAINT_TEXT = {
    "Quality": ("Instrument faulty on arrival", "מכשיר הגיע תקול"),
    "Delivery": ("Delivery late and incomplete", "אספקה מאוחרת וחסרה"),
    "Billing": ("Invoice does not match the quote", "החשבונית לא תואמת להצעה"),
    "Price": ("Price higher than last order", "מחיר גבוה מההזמנה הקודמת"),
    "Service": ("Technician did not show up", "הטכנאי לא הגיע"),
    "Other": ("Wrong contact on our invoices", "איש קשר שגוי בחשבוניות"),
}
_DEAL_TITLES = {
    "Lab equipment": ("Lab equipment upgrade", "שדרוג ציוד מעבדה"),
    "Consumables": ("Consumables framework", "הסכם מסגרת למתכלים"),
    "Safety": ("Safety equipment renewal", "חידוש ציוד בטיחות"),
    "Industrial": ("Workshop equipment", "ציוד לסדנה"),
    "Office": ("Office fit-out", "ריהוט וציוד משרדי"),
    "Service": ("Calibration contract", "חוזה כיול"),
}


# --- business days (SPEC section 3) -----------------------------------------------------
class _Calendar:
    """Sun-Thu work week with Israel's public holidays and the company's own days off."""

    def __init__(self, today: dt.date, days_off: list[dt.date]):
        years = range(today.year - 4, today.year + 3)
        public = list(_holidays.country_holidays("IL", years=years))
        days = np.array(sorted(set(public) | set(days_off)), dtype="datetime64[D]")
        self.cal = np.busdaycalendar(weekmask="1111001", holidays=days)

    def add(self, day: dt.date, n: int) -> dt.date:
        roll = "backward" if n >= 0 else "forward"
        return np.busday_offset(np.datetime64(day, "D"), n, roll=roll,
                                busdaycal=self.cal).astype(dt.date)

    def back(self, day: dt.date) -> dt.date:
        return np.busday_offset(np.datetime64(day, "D"), 0, roll="backward",
                                busdaycal=self.cal).astype(dt.date)

    def forward(self, day: dt.date) -> dt.date:
        return np.busday_offset(np.datetime64(day, "D"), 0, roll="forward",
                                busdaycal=self.cal).astype(dt.date)


@dataclass
class _Client:
    cid: str
    role: str
    size: str
    row: dict
    lang: str
    country: str
    domain: str
    segment: str
    terms: int
    created: dt.date
    contacts: list[str] = field(default_factory=list)


def _row(table: str, **values) -> dict:
    """A row with every non-computed column of `table`; blanks are None."""
    keys = [c.key for c in schema.TABLES[table].columns if not c.computed]
    unknown = set(values) - set(keys)
    if unknown:
        raise KeyError(f"{table}: {sorted(unknown)}")
    return {k: values.get(k) for k in keys}


def _amount(qty: float, price: float, discount: float | None) -> float:
    return round(qty * price * (1 - (discount or 0) / 100), 2)


class _Demo:
    def __init__(self, today: dt.date, seed: int):
        self.t = today
        self.rng = random.Random(seed)
        self.days_off = [self._weekday_near(today - dt.timedelta(days=120)),
                         self._weekday_near(today - dt.timedelta(days=480))]
        self.cal = _Calendar(today, self.days_off)
        self.out: Rows = {t.name: [] for t in schema.DATA_TABLES}
        self.out["Holidays"] = [_row("Holidays", date=d, name=n) for d, n in
                                zip(self.days_off, ("Company day out", "Annual inventory count"))]
        self.clients: list[_Client] = []
        self.deal_no = self.order_no = self.case_no = self.contact_no = self.prospects = 0
        self.contracts: list[tuple[dt.date, dict]] = []

    # -- small helpers --
    def ago(self, days: int) -> dt.date:
        return self.t - dt.timedelta(days=days)

    def bd(self, n: int) -> dt.date:
        """n business days from today (n < 0: before)."""
        return self.cal.add(self.t, n)

    def _weekday_near(self, day: dt.date) -> dt.date:
        while day.weekday() in (4, 5):     # Friday, Saturday
            day -= dt.timedelta(days=1)
        return day

    def day_between(self, a: dt.date, b: dt.date) -> dt.date:
        """A random business day in [a, b] (a itself when there is none)."""
        span = max(0, (b - a).days)
        day = self.cal.back(a + dt.timedelta(days=self.rng.randint(0, span)))
        return day if day >= a else min(self.cal.forward(a), b) if a <= b else a

    def _digits(self, n: int) -> str:
        return "".join(self.rng.choice("0123456789") for _ in range(n))

    def phone(self, city: str, mobile: bool = False) -> str:
        country, _, _, prefix, length = _CITIES[city]
        if country == "IL" and mobile:
            prefix, length = self.rng.choice(("50", "52", "53", "54", "58")), 9
        code = phonenumbers.country_code_for_region(country)
        for _ in range(500):
            nsn = prefix + str(self.rng.randint(2, 9)) + self._digits(length - len(prefix) - 1)
            num = phonenumbers.parse(f"+{code}{nsn}")
            if phonenumbers.is_valid_number(num) and \
                    phonenumbers.region_code_for_number(num) == country:
                fmt = (phonenumbers.PhoneNumberFormat.NATIONAL if country == "IL"
                       else phonenumbers.PhoneNumberFormat.INTERNATIONAL)
                return phonenumbers.format_number(num, fmt)
        raise RuntimeError(f"no valid phone number for {city}")   # metadata changed

    def products_for(self, segment: str, when: dt.date) -> list[tuple]:
        cats = _SEGMENT_CATEGORIES[segment]
        return [p for p in _PRODUCTS if p[2] in cats and self.sellable(p, when)]

    def sellable(self, p: tuple, when: dt.date) -> bool:
        if when < self.ago(p[5]):
            return False
        return p[6] or when < self.ago(_PH200_RETIRED_DAYS)

    def lines(self, c: _Client, when: dt.date, value: float) -> list[tuple[str, float, float,
                                                                         float | None]]:
        """Order or quote lines worth about `value`: (SKU, quantity, unit price, discount)."""
        stock = self.products_for(c.segment, when)
        n = self.rng.choices((1, 2, 3), (50, 35, 15))[0]
        # Only what fits the budget: a small client does not buy a spectrophotometer.
        fits = [p for p in stock if p[3] <= value / n * 1.5] or [min(stock, key=lambda p: p[3])]
        picked = self.rng.sample(fits, min(n, len(fits)))
        share = value / len(picked)
        discount = {"key": 10.0, "big": 7.0, "mid": 3.0}.get(c.size)
        return [(p[0], float(max(1, min(600, round(share / p[3])))), p[3], discount)
                for p in picked]

    # -- the tables --
    def build(self) -> tuple[Rows, dict]:
        self.make_products()
        self.make_competitors()
        self.make_events()
        for i, spec in enumerate(_CLIENTS, 1):
            self.make_client(i, *spec)
        self.set_referrals()
        for c in self.clients:
            self.make_contacts(c)
        for c in self.clients:
            self.make_history(c)
        self.make_event_attendance()
        for c in self.clients:
            if c.role in _SCENARIO_SIZE:
                getattr(self, f"scenario_{c.role}")(c)
        self.make_last_month()
        self.keep_revenue_steady()
        self.make_bulk_contracts()
        self.number_contracts()
        self.set_credit_limits()
        self.renumber()
        return self.out, self.settings()

    def renumber(self):
        """Rows in date order and IDs counting up with the date, as a real book grows."""
        out = self.out
        for name, key in (("Interactions", "date"), ("Orders", "order_date"),
                          ("Complaints", "opened"), ("Deals", "created")):
            out[name].sort(key=lambda r: r[key])      # stable: same-day rows keep their order
        new: dict[str, str] = {}     # old ID -> new ID; the prefixes keep them apart
        for name, key, fmt in (("Orders", "order_id", "SO-{:05d}"),
                               ("Deals", "deal_id", "D-{:04d}"),
                               ("Complaints", "case_id", "K-{:04d}")):
            count = 0
            for r in out[name]:
                if r[key] not in new:
                    count += 1
                    new[r[key]] = fmt.format(count)
                r[key] = new[r[key]]
        for name in ("DealItems", "Orders", "Contracts"):
            for r in out[name]:
                r["deal_id"] = new.get(r["deal_id"], r["deal_id"])
        out["DealItems"].sort(key=lambda r: r["deal_id"])
        for r in out["Interactions"]:      # subjects that name a case or a deal
            if r["subject"]:
                r["subject"] = re.sub(r"\b[DK]-\d{4}\b", lambda m: new.get(m.group(), m.group()),
                                      r["subject"])

    def settings(self) -> dict[str, object]:
        return {
            "manager_name": MANAGER, "manager_email": MANAGER_EMAIL,
            "company_name": "Galil Lab & Industrial Supply Ltd",
            "company_number": il_number_complete("51543210"),
            "company_address": "12 HaMelacha St, Rosh HaAyin 4809112",
            "company_phone": "03-902-1234", "currency": "ILS", "country": "IL",
            "payment_terms": 30, "segments": ", ".join(SEGMENTS),
        }

    def make_products(self):
        self.out["Products"] = [
            _row("Products", sku=s, name=n, category=cat, list_price=price, unit=unit,
                 active=active, launched=self.ago(days))
            for s, n, cat, price, unit, days, active in _PRODUCTS]

    def make_competitors(self):
        keys = ("competitor", "segments", "strengths", "weaknesses", "opportunities",
                "threats", "price_level", "notes")
        self.out["Competitors"] = [_row("Competitors", **dict(zip(keys, (v or None for v in c))))
                                   for c in _COMPETITORS]

    def make_events(self):
        for i, (name, kind, days, place) in enumerate(_EVENTS, 1):
            day = self.cal.forward(self.ago(days))
            if days > 0 and day > self.t:
                day = self.cal.back(self.ago(days))
            label = f"{name} {day.year}" if kind == "Exhibition" else name
            self.out["Events"].append(_row("Events", event_id=f"EV-{i:02d}", name=label,
                                           type=kind, date=day, location=place))

    def make_client(self, i, role, name, legal, city, domain, segment, lang):
        rng = self.rng
        country, region, city_he, _, _ = _CITIES[city]
        size = _SCENARIO_SIZE.get(role, role)
        if size not in _SIZES:   # prospects, dormant and lost clients: what they were or might be
            size = rng.choice(("small", "small", "mid"))
        status = {"prospect": "Prospect", "dormant": "Dormant", "lost": "Lost"}.get(role, "Active")
        if status == "Prospect":
            created = self.ago(rng.randint(20, 200))
        elif role in ("small", "mid") and rng.random() < 0.25:
            created = self.ago(rng.randint(300, 640))    # won in the last two years
        else:
            created = self.ago(rng.randint(800, 3200))
        if country == "IL":
            first8 = ("50" if segment in ("Public sector", "Academia") else "51") + self._digits(6)
            number = il_number_complete(first8)
            terms = rng.choice((30, 30, 45, 60, 60, 90))
        else:
            number = _FOREIGN_NUMBER.get(country, lambda r: None)(rng)
            terms = rng.choice((30, 30, 60))
        hebrew = any("\u0590" <= ch <= "\u05ff" for ch in name)
        street = rng.choice(_STREETS["IL-he" if hebrew else country])
        num = rng.randint(2, 88)
        if country != "IL":
            address = f"{num} {street}" if country in ("US", "GB", "CY") else f"{street} {num}"
        else:
            address = f"{street} {num}" if hebrew else f"{num} {street} St"
        cid = f"C-{i:03d}"
        row = _row(
            "Clients", client_id=cid, name=name, legal_name=legal, company_number=number,
            segment=segment, region=region, city=city_he if hebrew else city, address=address,
            country=None if country == "IL" and i % 4 == 0 else country,   # blank = Settings
            status=status, owner=MANAGER, key_account=True if role in ("key", "cadence") else None,
            payment_terms=None if terms == 30 and i % 3 == 0 else terms,
            email=f"{rng.choice(('info', 'office', 'purchasing'))}@{domain}",
            phone=self.phone(city), language=lang, created=created)
        if status == "Prospect":
            row["notes"] = "Met at an exhibition" if i % 2 else "Asked for a quote on the website"
        if status == "Lost":
            row["notes"] = "Moved to a competitor"
        self.clients.append(_Client(cid, role, size, row, lang, country, domain, segment, terms,
                                    created))
        self.out["Clients"].append(row)

    def set_referrals(self):
        """Every source is used; referred clients name an older client who sent them."""
        kinds = ("Referral", "Exhibition", "Cold call", "Website", "Partner", "Other")
        pool = list(kinds) * 2 + self.rng.choices(kinds, (14, 26, 20, 26, 8, 6),
                                                   k=len(self.clients) - 12)
        self.rng.shuffle(pool)
        by_age = sorted(self.clients, key=lambda c: (c.created, c.cid))
        for c, source in zip(self.clients, pool):
            older = [o for o in by_age if o.created < c.created and o.role != "lost"]
            if source == "Referral" and not older:
                source = "Website"
            c.row["source"] = source
            if source == "Referral":
                c.row["referred_by"] = self.rng.choice(older).cid

    def make_contacts(self, c: _Client):
        rng = self.rng
        n = {"key": 3, "big": 3, "mid": 2}.get(c.size, rng.choice((1, 1, 2)))
        has_primary = rng.random() < 0.93 or c.role in _SCENARIO_SIZE
        city = _city_of(c)
        for j in range(n):
            self.contact_no += 1
            pid = f"P-{self.contact_no:04d}"
            role_en, role_he = rng.choice(_ROLES)
            if c.lang == "he":
                (fh, fl), (lh, ll) = rng.choice(_HE_FIRST), rng.choice(_HE_LAST)
                name, login, role = f"{fh} {lh}", f"{fl}.{ll}", role_he
            else:
                first = rng.choice(_EN_FIRST[c.country])
                last = rng.choice(_EN_LAST[c.country])
                name, role = f"{first} {last}", role_en
                login = f"{first}.{last.replace(' ', '')}".lower()
            mobile = c.country == "IL" and rng.random() < 0.7
            channel = rng.choices(schema.CONTACT_CHANNELS, (40, 35, 10, 4, 2, 9))[0]
            birthday = (dt.date(rng.randint(1962, 1996), rng.randint(1, 12), rng.randint(1, 28))
                        if rng.random() < 0.5 else None)
            self.out["Contacts"].append(_row(
                "Contacts", contact_id=pid, client_id=c.cid, name=name, role=role,
                email=f"{login}@{c.domain}", phone=self.phone(city, mobile),
                preferred_channel=channel, primary=True if j == 0 and has_primary else None,
                birthday=birthday))
            c.contacts.append(pid)

    # -- history --
    def history_window(self, c: _Client) -> tuple[dt.date, dt.date]:
        start = max(c.created + dt.timedelta(days=7), self.ago(730))
        if c.role == "prospect":
            return c.created, self.t
        if c.role == "dormant":
            return start, self.ago(self.rng.randint(400, 520))
        if c.role == "lost":
            return start, self.ago(self.rng.randint(250, 450))
        if c.role in _SCENARIO_SIZE:
            return start, self.ago(60)   # a quiet, settled past; the scenario adds the rest
        return start, self.t

    def make_history(self, c: _Client):
        start, end = self.history_window(c)
        settled = c.role != "prospect" and end < self.t
        if c.role == "prospect":
            self.prospect_history(c)
            return
        low, high, per_year = _SIZES[c.size]
        annual = self.rng.uniform(low, high)
        if c.role == "drop":   # a steady client whose orders fell to a quarter this year
            self.orders_between(c, start, self.ago(366), annual * 1.3, per_year)
            self.orders_between(c, self.ago(364), end, annual * 0.3, per_year / 2)
        else:
            trend = self.rng.uniform(0.8, 1.25)
            mid = max(start, self.ago(365))
            self.orders_between(c, start, mid, annual / trend, per_year)
            self.orders_between(c, mid + dt.timedelta(days=1), end, annual, per_year)
        self.interactions_between(c, start, end)
        if not settled and self.rng.random() < 0.75:   # she is mostly on top of her accounts
            self.log(c, self.day_between(self.ago(7), self.t),
                     self.rng.choice(("Reached", "Reached", "Info sent", "Order", "Meeting set")))
        self.deals_for(c, start, end, open_deals=not settled)
        self.complaints_for(c, start, end, open_ok=not settled)
        if c.role == "lost":
            self.log(c, end, "Declined", channel="Meeting")
            self.lost_deal(c, end)
        if c.role == "dormant":   # one unanswered try after a long silence
            self.log(c, self.day_between(self.ago(200), self.ago(100)), "Info sent",
                     channel="Mail", subject=("Catalogue mailed", "נשלח קטלוג בדואר"),
                     next_date=None)

    def orders_between(self, c: _Client, a: dt.date, b: dt.date, annual: float, per_year: float):
        if b <= a:
            return
        years = (b - a).days / 365
        n = max(1, round(per_year * years * self.rng.uniform(0.8, 1.2)))
        for _ in range(n):
            when = self.day_between(a, b)
            value = annual / per_year * self.rng.uniform(0.6, 1.4)
            self.order(c, when, self.lines(c, when, value))

    def order(self, c: _Client, when: dt.date, lines, *, deal_id=None, status=None,
              due=None, delivered=None, paid="auto", contract_id=None) -> str:
        """One order, its lines' delivery and payment following their age unless given."""
        rng = self.rng
        self.order_no += 1
        oid = f"SO-{self.order_no:05d}"
        lead = rng.randint(3, 21) if c.country == "IL" else rng.randint(14, 35)
        due = due or when + dt.timedelta(days=lead)
        if status is None:
            status = self.order_status(when, due)
        if status == "Delivered" and delivered is None:
            # Most deliveries are on time, some a few days late.
            late = rng.randint(1, 7) if rng.random() < 0.2 else rng.randint(-4, 0)
            delivered = min(self.t, max(when, due + dt.timedelta(days=late)))
        if status == "Partly delivered" and delivered is None:
            delivered = self.day_between(when + dt.timedelta(days=1), self.t)
        invoice = (when + dt.timedelta(days=c.terms)
                   if status in ("Delivered", "Partly delivered") else None)
        if paid == "auto":
            paid = self.paid_on(when, invoice)
        for sku, qty, price, disc in lines:
            line_status, dqty, inv = status, None, invoice
            if status == "Delivered":
                dqty = qty
            elif status == "Partly delivered" and qty >= 2:
                dqty = float(math.floor(qty / 2))
            elif status == "Partly delivered":
                line_status, inv = "Open", None   # one unit cannot be half-shipped
            self.out["Orders"].append(_row(
                "Orders", order_id=oid, client_id=c.cid, deal_id=deal_id,
                contract_id=contract_id, order_date=when, sku=sku, quantity=qty,
                unit_price=price, discount=disc,
                amount=None if self.order_no % 17 == 0 else _amount(qty, price, disc),
                due_date=due, delivered_on=delivered if dqty else None, delivered_qty=dqty,
                status=line_status, invoice_due=inv, paid_on=paid if inv else None))
        return oid

    def order_status(self, when: dt.date, due: dt.date) -> str:
        if self.rng.random() < 0.03:
            return "Cancelled"
        if (self.t - when).days > 40 or (due < self.t and self.rng.random() < 0.85):
            return "Delivered"    # a few late ones stay open
        partly = 20 if (self.t - when).days >= 2 else 0   # a first shipment takes a day or two
        return self.rng.choices(("Open", "Partly delivered", "Delivered"), (45, partly, 35))[0]

    def paid_on(self, when: dt.date, invoice: dt.date | None) -> dt.date | None:
        """Invoices due before today are paid (only scenarios leave debts); later ones rarely."""
        if invoice is None:
            return None
        if invoice < self.t:
            day = invoice + dt.timedelta(days=self.rng.randint(-8, 20))
            return self.cal.back(max(when + dt.timedelta(days=1), min(day, self.ago(1))))
        if self.rng.random() < 0.15 and when < self.t:
            return self.day_between(when + dt.timedelta(days=1), self.t)
        return None

    def interactions_between(self, c: _Client, a: dt.date, b: dt.date):
        gap = {"key": 12, "big": 17, "mid": 26, "small": 42}[c.size]
        day = a + dt.timedelta(days=int(self.rng.expovariate(1 / gap)))
        while day <= b:
            outcome = self.rng.choices(*zip(*_OUTCOME_WEIGHTS))[0]
            self.log(c, self.cal.back(day) if self.cal.back(day) >= a else day, outcome,
                     horizon=b)
            day += dt.timedelta(days=max(1, int(self.rng.expovariate(1 / gap))))

    def log(self, c: _Client, day: dt.date, outcome: str, *, channel=None, direction=None,
            subject=None, next_step=None, next_date="auto", contact="auto", event_id=None,
            horizon=None):
        rng = self.rng
        channel = channel or rng.choice(_OUTCOME_CHANNELS[outcome])
        if direction is None:
            direction = {"No answer": "Out", "Info sent": "Out", "Proposal sent": "Out",
                         "Order": "In", "Complaint": "In"}.get(outcome) or rng.choice(("In", "Out"))
        if subject is None:
            subject = rng.choice(_SUBJECTS[outcome])
        if next_date == "auto":
            next_step, next_date = None, None
            plan = _NEXT_STEPS.get(outcome)
            if plan and (outcome in ("Meeting set", "Proposal sent") or rng.random() < 0.3):
                text, lo, hi = plan
                next_step, next_date = text, self.cal.forward(day + dt.timedelta(
                    days=rng.randint(lo, hi)))
                if horizon is not None and horizon < self.t and next_date > horizon:
                    next_step, next_date = None, None   # a settled past keeps no promise open
        if contact == "auto":
            contact = rng.choice(c.contacts) if c.contacts and rng.random() < 0.9 else None
        lang = 1 if c.lang == "he" else 0
        self.out["Interactions"].append(_row(
            "Interactions", date=day, client_id=c.cid, contact_id=contact, channel=channel,
            direction=direction, subject=subject[lang] if isinstance(subject, tuple) else subject,
            outcome=outcome,
            next_step=next_step[lang] if isinstance(next_step, tuple) else next_step,
            next_step_date=next_date, event_id=event_id))

    def prospect_history(self, c: _Client):
        rng = self.rng
        days = sorted(self.day_between(c.created, self.t) for _ in range(rng.randint(2, 5)))
        for day in days:
            self.log(c, day, rng.choice(("Reached", "Info sent", "Meeting set", "No answer")))
        self.prospects += 1   # prospects' deals take every open stage in turn
        stage = schema.OPEN_STAGES[(self.prospects - 1) % len(schema.OPEN_STAGES)]
        self.deal(c, stage, self.day_between(c.created, days[-1]), days[-1])

    # -- deals --
    def deal(self, c: _Client, stage: str, created: dt.date, since: dt.date, *,
             value: float | None = None, items: bool = True, title=None) -> tuple[str, list]:
        rng = self.rng
        self.deal_no += 1
        did = f"D-{self.deal_no:04d}"
        low, high, per_year = _SIZES[c.size]
        value = value or rng.uniform(low, high) / per_year * rng.uniform(1.0, 2.5)
        lines = self.lines(c, since, value)
        main = next(p for p in _PRODUCTS if p[0] == lines[0][0])
        title = title or _DEAL_TITLES[main[2]][1 if c.lang == "he" else 0]
        amount = round(sum(_amount(q, p, d) for _, q, p, d in lines), 2)
        closed = stage in ("Won", "Lost")
        row = _row("Deals", deal_id=did, client_id=c.cid, title=f"{title} {since.year}",
                   stage=stage, amount=amount, created=created, stage_since=since,
                   expected_close=since if closed else since + dt.timedelta(
                       days=rng.randint(20, 90)),
                   probability=rng.choice((None, None, None, 50.0, 70.0)) if not closed else None)
        if stage == "Lost":
            row["lost_reason"] = rng.choice(_LOST_REASONS)
            if row["lost_reason"] not in ("Budget cut", "Project cancelled"):
                row["lost_to"] = rng.choice(_COMPETITORS)[0]
        self.out["Deals"].append(row)
        if items and rng.random() < 0.88:
            for sku, qty, price, disc in lines:
                self.out["DealItems"].append(_row(
                    "DealItems", deal_id=did, sku=sku, quantity=qty,
                    unit_price=None if rng.random() < 0.3 else price, discount=disc))
        return did, lines

    def deals_for(self, c: _Client, a: dt.date, b: dt.date, open_deals: bool):
        rng = self.rng
        if (b - a).days < 60:
            return
        for _ in range(rng.choice((1, 1, 1, 2))):
            close = self.day_between(a + dt.timedelta(days=30), b - dt.timedelta(days=15))
            created = self.day_between(max(c.created, close - dt.timedelta(days=90)), close)
            did, lines = self.deal(c, "Won", created, close)
            when = self.cal.forward(close + dt.timedelta(days=rng.randint(2, 10)))
            if when < b:
                self.order(c, when, lines, deal_id=did)
        if rng.random() < 0.35:
            self.lost_deal(c, self.day_between(a + dt.timedelta(days=30), b))
        if open_deals and rng.random() < 0.5:
            stage = rng.choice(schema.OPEN_STAGES)
            created = self.day_between(self.ago(120), self.ago(10))
            self.deal(c, stage, created, self.day_between(created, self.t))

    def make_last_month(self):
        """Deals won and lost in the last full month, so the demo's monthly report has
        a win rate, lost deals by competitor and new orders to show."""
        end = self.t.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
        steady = [c for c in self.clients if c.role in ("small", "mid", "big")]
        picks = self.rng.sample(steady, min(6, len(steady)))
        for c in picks[:3]:
            close = self.day_between(start, end)
            did, lines = self.deal(c, "Won", self.day_between(close - dt.timedelta(days=60),
                                                              close), close)
            when = self.cal.forward(close + dt.timedelta(days=self.rng.randint(1, 4)))
            if when <= self.t:
                self.order(c, when, lines, deal_id=did)
        for c in picks[3:]:
            close = self.day_between(start, end)
            self.deal(c, "Lost", self.day_between(close - dt.timedelta(days=60), close), close)
            row = self.out["Deals"][-1]
            row["lost_reason"] = self.rng.choice(_LOST_REASONS[:3])   # lost to a competitor
            row["lost_to"] = self.rng.choice(_COMPETITORS)[0]
        for c, (category, severity) in zip(picks, (("Delivery", "Medium"), ("Quality", "Low"))):
            opened = self.day_between(start, end - dt.timedelta(days=7))
            self.complaint(c, opened, category, severity, "Resolved",
                           resolved_on=self.cal.forward(opened + dt.timedelta(days=1)))

    def lost_deal(self, c: _Client, close: dt.date):
        created = self.day_between(max(c.created, close - dt.timedelta(days=80)), close)
        self.deal(c, "Lost", created, close)

    # -- complaints --
    def complaint(self, c: _Client, opened: dt.date, category: str, severity: str, status: str,
                  resolved_on: dt.date | None = None, channel: str = "Phone",
                  next_step=None, next_date=None) -> str:
        self.case_no += 1
        case = f"K-{self.case_no:04d}"
        text = _COMPLAINT_TEXT[category]
        lang = 1 if c.lang == "he" else 0
        self.out["Complaints"].append(_row(
            "Complaints", case_id=case, client_id=c.cid, opened=opened, channel=channel,
            category=category, severity=severity, description=text[lang], status=status,
            resolved_on=resolved_on if status == "Resolved" else None,
            resolution=("Replaced / credited" if lang == 0 else "הוחלף / זוכה")
            if status == "Resolved" else None))
        self.log(c, opened, "Complaint", channel=channel, direction="In",
                 subject=f"{case}: {text[lang]}", next_step=next_step, next_date=next_date)
        return case

    def complaints_for(self, c: _Client, a: dt.date, b: dt.date, open_ok: bool):
        rng = self.rng
        n = rng.choices((0, 1, 2), (55, 35, 10))[0]
        for _ in range(n):
            category = rng.choice(schema.CATEGORIES)
            severity = rng.choices(schema.SEVERITIES, (25, 45, 30))[0]
            if open_ok and rng.random() < 0.12:
                opened = self.day_between(self.ago(20), self.t)
                self.complaint(c, opened, category, severity, rng.choice(("Open", "In progress")))
                open_ok = False      # one open case at most: two open is the scenario's risk
                continue
            opened = self.day_between(a, b - dt.timedelta(days=5))
            resolved = min(self.t, max(opened, self.cal.add(opened, rng.choice((0, 1, 1, 2, 3,
                                                                             5, 8)))))
            self.complaint(c, opened, category, severity, "Resolved", resolved,
                           channel=rng.choice(("Phone", "Email", "Email", "Meeting", "Fax")))

    def make_event_attendance(self):
        rng = self.rng
        for ev in self.out["Events"]:
            if ev["date"] > self.t:
                self.invite(ev)
                continue
            pool = [c for c in self.clients if c.created <= ev["date"] and c.role not in
                    ("lost", "dormant") and not (c.role in _SCENARIO_SIZE and
                                                 ev["date"] > self.ago(60))]
            for c in rng.sample(pool, min(len(pool), rng.randint(4, 9))):
                outcome = rng.choice(("Reached", "Meeting set", "Info sent"))
                self.log(c, ev["date"], outcome, channel="Event", direction="In",
                         subject=(f"Met at {ev['name']}", f"נפגשנו ב-{ev['name']}"),
                         event_id=ev["event_id"], next_date=None)

    def invite(self, ev: dict):
        """The upcoming event: invitations sent by e-mail in the last days."""
        pool = [c for c in self.clients if c.role in ("key", "big", "mid", "prospect")]
        for c in self.rng.sample(pool, 5):
            self.log(c, self.day_between(self.ago(10), self.t), "Info sent", channel="Email",
                     direction="Out", subject=(f"Invitation: {ev['name']}",
                                               f"הזמנה: {ev['name']}"), next_date=None)

    # -- contracts --
    def contract(self, c: _Client, status: str, start: dt.date | None, end: dt.date | None,
                 deal_id: str | None = None, signed_on: dt.date | None = None,
                 made: dt.date | None = None, value: float | None = None):
        rng = self.rng
        made = made or signed_on or start or self.t
        row = _row("Contracts", client_id=c.cid, deal_id=deal_id,
                   template="contract.he.docx" if c.lang == "he" else "contract.docx",
                   status=status, start=start, end=end,
                   value=value or round(rng.uniform(*_SIZES[c.size][:2]), -3),
                   discount={"key": 10.0, "big": 7.0}.get(c.size, 3.0),
                   payment_terms=c.terms, referral_clause=rng.random() < 0.7,
                   renewal_notice=90 if rng.random() < 0.2 and status != "Signed" else None,
                   signed_on=signed_on)
        self.contracts.append((made, row))
        return row

    def make_bulk_contracts(self):
        """Framework agreements: current ones signed, earlier ones expired, a few pending."""
        rng = self.rng
        soon = True   # the first big client's framework also ends inside the notice window
        for c in self.clients:
            if c.role not in ("key", "big", "cadence"):
                continue
            end = self.ago(-rng.randint(120, 500))
            if c.role == "big" and soon:
                end, soon = self.ago(-50), False
            start = end - dt.timedelta(days=729)
            self.contract(c, "Signed", start, end,
                          signed_on=self.cal.back(start - dt.timedelta(days=rng.randint(3, 20))))
            old_start = start - dt.timedelta(days=730)
            if old_start >= c.created:
                self.contract(c, "Expired", old_start, start - dt.timedelta(days=1),
                              signed_on=self.cal.back(old_start - dt.timedelta(days=7)))
        bulk = [d for d in self.out["Deals"]
                if self.client(d["client_id"]).role not in _SCENARIO_SIZE]
        late = [d for d in bulk if d["stage"] in ("Needs analysis", "Proposal", "Negotiation")]
        early = [d for d in bulk if d["stage"] in ("Lead", "Qualified")]
        for d, status in zip((late + early)[:4], ("Draft", "Sent", "Draft", "Sent")):
            start = self.cal.forward(self.ago(-rng.randint(20, 60)))
            self.contract(self.client(d["client_id"]), status, start,
                          start + dt.timedelta(days=364), deal_id=d["deal_id"],
                          made=self.day_between(d["stage_since"], self.t), value=d["amount"])
        lost = next(d for d in bulk if d["stage"] == "Lost")   # drafted, then the deal was lost
        made = self.day_between(lost["created"], lost["stage_since"])
        self.contract(self.client(lost["client_id"]), "Cancelled", made + dt.timedelta(days=30),
                      made + dt.timedelta(days=394), deal_id=lost["deal_id"], made=made,
                      value=lost["amount"])

    def number_contracts(self):
        """CTR-YYYY-NNNN in the order they were made, as acctbook would have numbered them."""
        per_year: dict[int, int] = {}
        for made, row in sorted(self.contracts, key=lambda mr: (mr[0], mr[1]["client_id"])):
            per_year[made.year] = per_year.get(made.year, 0) + 1
            row["contract_id"] = f"CTR-{made.year}-{per_year[made.year]:04d}"
            if row["status"] in ("Signed", "Expired", "Draft", "Sent"):
                row["file"] = f"contracts/{row['contract_id']}.docx"
            self.out["Contracts"].append(row)
        # Orders placed under a signed framework name it.
        signed = {r["client_id"]: r for _, r in self.contracts if r["status"] == "Signed"}
        for o in self.out["Orders"]:
            r = signed.get(o["client_id"])
            if r and o["deal_id"] is None and r["start"] <= o["order_date"] <= r["end"]:
                o["contract_id"] = r["contract_id"]

    def client(self, cid: str) -> _Client:
        return next(c for c in self.clients if c.cid == cid)

    # -- totals that must hold for the demo's story --
    def revenue(self, cid: str, lo: int, hi: int) -> float:
        """Order amounts with Order date in (today - lo, today - hi]."""
        return sum(o["amount"] if o["amount"] is not None else
                   _amount(o["quantity"], o["unit_price"], o["discount"])
                   for o in self.out["Orders"] if o["client_id"] == cid
                   and o["status"] != "Cancelled"
                   and self.ago(lo) < o["order_date"] <= self.ago(hi))

    def keep_revenue_steady(self):
        """Scenario clients show only their own risk: no accidental revenue drop."""
        for c in self.clients:
            if c.role not in _SCENARIO_SIZE:
                continue
            now, prior = self.revenue(c.cid, 365, 0), self.revenue(c.cid, 730, 365)
            if c.role == "drop" and now >= 0.4 * prior:   # the drop must be unmistakable
                when = self.day_between(self.ago(700), self.ago(400))
                self.order(c, when, self.lines(c, when, 3 * now - prior))
            elif c.role != "drop" and now < 0.7 * prior:
                when = self.day_between(self.ago(200), self.ago(90))
                self.order(c, when, self.lines(c, when, 0.75 * prior - now))

    def set_credit_limits(self):
        base = {"key": 600_000, "big": 300_000, "mid": 120_000, "small": 40_000}
        for c in self.clients:
            unpaid = sum(o["amount"] or _amount(o["quantity"], o["unit_price"], o["discount"])
                         for o in self.out["Orders"] if o["client_id"] == c.cid
                         and o["status"] != "Cancelled" and o["invoice_due"] and not o["paid_on"])
            if c.role == "high_credit":
                limit = math.floor(unpaid * 0.75 / 5000) * 5000
            elif c.role in ("prospect", "lost"):
                limit = None
            else:
                limit = max(base[c.size], math.ceil(unpaid * 1.3 / 10_000) * 10_000)
            c.row["credit_limit"] = float(limit) if limit is not None else None

    # -- the scenarios: each client's own records make one rule its earliest candidate --
    def recent_order(self, c: _Client, days_ago: int, value: float, **kw) -> str:
        when = self.cal.back(self.ago(days_ago))
        return self.order(c, when, self.lines(c, when, value), **kw)

    def scenario_complaint(self, c):
        """Rule 1: a High complaint three business days old, technician visit promised later."""
        self.recent_order(c, 24, 40_000, status="Delivered",
                          due=self.ago(12), delivered=self.cal.back(self.ago(10)), paid=None)
        self.log(c, self.cal.back(self.ago(18)), "Reached", channel="Meeting", next_date=None)
        self.complaint(c, self.bd(-3), "Quality", "High", "In progress",
                       next_step=("Technician visit", "ביקור טכנאי"),
                       next_date=self.cal.forward(self.ago(-6)))

    def scenario_payment(self, c):
        """Rule 2 and risk Medium: one invoice 12 days overdue, the rest in order."""
        self.order(c, self.ago(c.terms + 12), self.lines(c, self.ago(c.terms + 12), 9_800),
                   status="Delivered", due=self.ago(c.terms + 5),
                   delivered=self.ago(c.terms + 6), paid=None)
        self.log(c, self.bd(-4), "Info sent", channel="Email",
                 subject=("Invoice copy sent on request", "נשלח העתק חשבונית"), next_date=None)

    def scenario_high_overdue(self, c):
        """Rule 2 and risk High: an invoice 45 days overdue; a transfer promised for later."""
        self.order(c, self.ago(c.terms + 45), self.lines(c, self.ago(c.terms + 45), 23_000),
                   status="Delivered", due=self.ago(c.terms + 35),
                   delivered=self.ago(c.terms + 36), paid=None)
        self.log(c, self.bd(-5), "Reached", channel="Phone",
                 subject=("Overdue invoice: transfer promised", "חשבונית באיחור: הובטחה העברה"),
                 next_step=("Check the payment arrived", "לבדוק שהתשלום הגיע"),
                 next_date=self.cal.forward(self.ago(-4)))

    def scenario_delivery(self, c):
        """Rule 3: a fume hood due tomorrow and not yet shipped."""
        when = self.cal.back(self.ago(16))
        self.order(c, when, [("LAB-FH-150", 1.0, 68000.0, 3.0), ("SAF-GOG-10", 5.0, 240.0, 3.0)],
                   status="Open", due=self.t + dt.timedelta(days=1), paid=None)
        self.log(c, when, "Order", channel="Email", next_date=None)
        # Gloves: half shipped, the rest due in three days (also a Delivery candidate, later).
        self.order(c, self.cal.back(self.ago(9)), [("CON-GLV-100", 200.0, 38.0, 3.0)],
                   status="Partly delivered", due=self.t + dt.timedelta(days=3),
                   delivered=self.cal.back(self.ago(5)), paid=None)
        self.log(c, self.bd(-4), "Reached", channel="Phone",
                 subject=("Installation site ready", "אתר ההתקנה מוכן"),
                 next_step=("Confirm the delivery slot", "לתאם מועד אספקה"),
                 next_date=self.cal.forward(self.t + dt.timedelta(days=1)))

    def scenario_promise(self, c):
        """Rule 4: promised to call back yesterday with the budget answer."""
        self.log(c, self.bd(-6), "Reached", channel="Phone",
                 subject=("Quote for lab refrigerators", "הצעה למקררי מעבדה"),
                 next_step=("Call back on budget approval", "לחזור לגבי אישור תקציב"),
                 next_date=self.bd(-1))
        self.deal(c, "Needs analysis", self.bd(-10), self.bd(-6))

    def scenario_retry(self, c):
        """Rule 5: the last call went unanswered two business days ago."""
        self.log(c, self.bd(-12), "Reached", channel="Email", next_date=None)
        self.log(c, self.bd(-2), "No answer", channel="Phone", direction="Out",
                 subject=("Call about the reorder: no answer", "שיחה על הזמנה חוזרת: אין מענה"),
                 next_date=None)

    def scenario_stale(self, c):
        """Rule 6: a proposal sent nine business days ago, no word since."""
        since = self.bd(-9)
        self.deal(c, "Qualified", self.bd(-40), self.bd(-30))
        did, _ = self.deal(c, "Proposal", self.bd(-30), since, value=95_000)
        self.log(c, since, "Proposal sent", channel="Email",
                 subject=(f"Proposal {did}: lab instruments", f"הצעה {did}: ציוד מעבדה"),
                 next_date=None)

    def scenario_cadence(self, c):
        """Rule 7: a key account (class A, 14 days) last met three weeks ago."""
        self.recent_order(c, 25, 150_000, status="Delivered", due=self.ago(18),
                          delivered=self.cal.back(self.ago(15)), paid=None)
        self.log(c, self.cal.back(self.ago(21)), "Reached", channel="Meeting",
                 subject=("Quarterly business review", "סקירה רבעונית"), next_date=None)
        self.deal(c, "Needs analysis", self.ago(40), self.ago(21))

    def scenario_renewal(self, c):
        """Rule 8: the signed framework ends in 40 days (60 days' notice)."""
        end = self.ago(-40)
        start = end - dt.timedelta(days=730) + dt.timedelta(days=1)
        self.contract(c, "Signed", start, end,
                      signed_on=self.cal.back(start - dt.timedelta(days=10)))
        self.recent_order(c, 30, 60_000, status="Delivered", due=self.ago(20),
                          delivered=self.cal.back(self.ago(19)), paid="auto")
        self.log(c, self.bd(-3), "Reached", channel="Phone", next_date=None)

    def scenario_high_credit(self, c):
        """Risk High: two recent deliveries not yet due but over the credit limit."""
        for days, value in ((20, 52_000), (12, 49_500)):
            when = self.cal.back(self.ago(days))
            self.order(c, when, self.lines(c, when, value), status="Delivered",
                       due=when + dt.timedelta(days=5), delivered=when + dt.timedelta(days=5),
                       paid=None)
        self.log(c, self.bd(-4), "Order", channel="Fax", next_date=None)

    def scenario_two_complaints(self, c):
        """Risk Medium: two complaints open at once."""
        self.complaint(c, self.bd(-9), "Delivery", "Medium", "Open", channel="Email")
        self.complaint(c, self.bd(-4), "Billing", "Low", "In progress", channel="Phone")
        self.log(c, self.bd(-2), "Info sent", channel="Email",
                 subject=("Credit note draft sent", "נשלחה טיוטת זיכוי"), next_date=None)

    def scenario_drop(self, c):
        """Risk Medium: orders fell far below last year's; a competitor won a tender."""
        self.lost_deal(c, self.ago(150))
        self.out["Deals"][-1].update(lost_reason="Price", lost_to="Merkaz HaTziyud")
        self.log(c, self.bd(-7), "Reached", channel="Meeting",
                 subject=("Why orders dropped", "למה ירדו ההזמנות"),
                 next_step=("Send a competitive offer", "לשלוח הצעה תחרותית"),
                 next_date=self.cal.forward(self.ago(-5)))


def _city_of(c: _Client) -> str:
    """The English city key of an Israeli client (its row may show the Hebrew name)."""
    shown = c.row["city"]
    return next(k for k, v in _CITIES.items() if shown in (k, v[2]))


def demo_data(today: dt.date, seed: int = DEMO_SEED) -> tuple[Rows, dict[str, object]]:
    """Demo rows per table (schema keys, computed columns left out) and Settings values.

    Deterministic for a given `today` and seed; nothing dated after `today` except
    what the SPEC allows (an upcoming event, due dates, contract ends, next steps).
    """
    return _Demo(today, seed).build()
