"""Czech names, streets and phrases that make the demo records read like real ones."""

from __future__ import annotations

# (male, female) forms of common Czech surnames.
SURNAMES: tuple[tuple[str, str], ...] = (
    ("Novák", "Nováková"),
    ("Svoboda", "Svobodová"),
    ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"),
    ("Černý", "Černá"),
    ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"),
    ("Veselý", "Veselá"),
    ("Horák", "Horáková"),
    ("Němec", "Němcová"),
    ("Pokorný", "Pokorná"),
    ("Marek", "Marková"),
    ("Pospíšil", "Pospíšilová"),
    ("Hájek", "Hájková"),
    ("Jelínek", "Jelínková"),
    ("Král", "Králová"),
    ("Růžička", "Růžičková"),
    ("Beneš", "Benešová"),
    ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"),
    ("Doležal", "Doležalová"),
    ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"),
    ("Navrátil", "Navrátilová"),
    ("Čermák", "Čermáková"),
    ("Urban", "Urbanová"),
    ("Vaněk", "Vaňková"),
    ("Blažek", "Blažková"),
    ("Kříž", "Křížová"),
    ("Kovář", "Kovářová"),
    ("Bartoš", "Bartošová"),
    ("Vlček", "Vlčková"),
    ("Polák", "Poláková"),
    ("Musil", "Musilová"),
    ("Šimek", "Šimková"),
    ("Konečný", "Konečná"),
    ("Malý", "Malá"),
    ("Holub", "Holubová"),
    ("Štěpánek", "Štěpánková"),
    ("Kadlec", "Kadlecová"),
    ("Horváth", "Horváthová"),
    ("Kováč", "Kováčová"),
    ("Daniel", "Danielová"),
    ("Lakatoš", "Lakatošová"),
    ("Berky", "Berkyová"),
    ("Tichý", "Tichá"),
    ("Šťastný", "Šťastná"),
    ("Mráz", "Mrázová"),
    ("Bílek", "Bílková"),
    ("Sýkora", "Sýkorová"),
)

MALE_NAMES: tuple[str, ...] = (
    "Jan",
    "Petr",
    "Josef",
    "Pavel",
    "Martin",
    "Tomáš",
    "Jaroslav",
    "Miroslav",
    "Zdeněk",
    "Václav",
    "Michal",
    "František",
    "Jiří",
    "Lukáš",
    "David",
    "Radek",
    "Milan",
    "Roman",
    "Karel",
    "Ladislav",
    "Stanislav",
    "Marcel",
    "Patrik",
    "Dominik",
    "Vojtěch",
    "Ondřej",
)

FEMALE_NAMES: tuple[str, ...] = (
    "Marie",
    "Jana",
    "Eva",
    "Hana",
    "Anna",
    "Lenka",
    "Kateřina",
    "Lucie",
    "Věra",
    "Alena",
    "Petra",
    "Veronika",
    "Monika",
    "Helena",
    "Zuzana",
    "Martina",
    "Michaela",
    "Ivana",
    "Tereza",
    "Nikola",
    "Renata",
    "Simona",
    "Denisa",
    "Barbora",
    "Markéta",
    "Šárka",
)

STREETS: tuple[str, ...] = (
    "Husova",
    "Palackého",
    "Masarykova",
    "Jiráskova",
    "Nádražní",
    "Školní",
    "Komenského",
    "Tylova",
    "Smetanova",
    "Žižkova",
    "Sokolská",
    "Budovatelů",
    "Lidická",
    "Mánesova",
    "Nerudova",
    "Havlíčkova",
    "Zahradní",
    "Polní",
    "Družstevní",
    "U Nádraží",
    "Pražská",
    "Plzeňská",
    "Sadová",
    "Luční",
    "Boženy Němcové",
    "Čapkova",
    "Tyršova",
    "Riegrova",
)

PLZEN_STREETS: tuple[str, ...] = (
    "Slovanská",
    "Klatovská",
    "Koterovská",
    "Doubravecká",
    "Lobezská",
    "Mikulášská",
    "Karlovarská",
    "Skvrňanská",
    "Rokycanská",
    "Kaplířova",
    "Vejprnická",
    "Gerská",
    "Macháčkova",
    "Sladkovského",
    "Jateční",
    "Nepomucká",
    "Brojova",
    "Terezie Brzkové",
    "Manětínská",
    "Majerova",
    "Studentská",
    "Západní",
    "Kotíkovská",
    "Plaská",
)

COMPANIES: tuple[str, ...] = (
    "Západočeská bytová s.r.o.",
    "Reality Radbuza s.r.o.",
    "Bytové družstvo Doubravka",
    "Šumava Invest s.r.o.",
    "Domy Bory a.s.",
)

CONSENT_SCOPE = (
    "Souhlas se zpracováním osobních údajů domácnosti pro zprostředkování nájemního bydlení, "
    "sociální práci po nastěhování a anonymizované souhrny pro Platformu."
)

GUARANTEE_DIRECT = (
    "Agentura ručí za nájemné až do výše tří měsíčních plateb a za škody do 30 000 Kč; "
    "sociální pracovník domácnost pravidelně navštěvuje."
)
GUARANTEE_SUBLEASE = (
    "Agentura je nájemcem bytu a domácnosti jej podnajímá; nájemné vlastníkovi hradí "
    "agentura i při výpadku plateb podnájemce."
)

FLAT_NOTES: tuple[str | None, ...] = (
    "Byt po rekonstrukci koupelny.",
    "Plynový kotel, nová plastová okna.",
    "Nedaleko zastávky MHD a základní školy.",
    "K bytu patří sklep a místo na kolo.",
    "Ústřední topení, měřiče tepla v bytě.",
    "Pronajímatel preferuje dlouhodobý nájem.",
    None,
    None,
)

ANCHOR_LABELS: tuple[str, ...] = (
    "škola dětí",
    "zaměstnání",
    "rodina",
    "mateřská škola",
    "lékař",
)

HOUSEHOLD_NOTES: tuple[str | None, ...] = (
    "Dospělý člen domácnosti pracuje na směny ve skladu.",
    "Řeší splátkový kalendář u dodavatele energií.",
    "Domácnost spolupracuje s dluhovou poradnou.",
    None,
    None,
    None,
)

CHILDREN_NOTE = "Děti dojíždějí do školy, rodina chce zůstat v okolí."


def hostel_note(monthly_cost: int) -> str:
    return f"Platí {monthly_cost:,} Kč měsíčně za pokoj na ubytovně.".replace(",", " ")


VISIT_NOTES: tuple[str, ...] = (
    "Domácnost se v bytě zabydluje, nájemné uhrazeno včas.",
    "Prošli jsme rozpočet na příští měsíc, rodina si vede sešit výdajů.",
    "Se sousedy bez potíží, děti chodí pravidelně do školy.",
    "Nahlášena závada na kohoutku, pronajímatel přislíbil opravu.",
    "Podána žádost o příspěvek na bydlení, čekáme na rozhodnutí.",
    "Dospělý člen domácnosti nastoupil do nového zaměstnání.",
    "Domluvena schůzka v dluhové poradně kvůli exekuci.",
    "Byt udržovaný, domácnost spokojená.",
)

FOLLOW_UPS: tuple[str, ...] = (
    "Ověřit platbu nájemného do 15. dne v měsíci.",
    "Doprovodit na úřad práce kvůli doplatku na bydlení.",
    "Svolat schůzku s pronajímatelem a domácností.",
    "Sestavit splátkový kalendář dlužného nájemného.",
)

REVIEW_REJECTIONS: tuple[str, ...] = (
    "Náklady na bydlení by přesáhly polovinu příjmu domácnosti.",
    "Byt je pro počet členů domácnosti příliš malý.",
    "Domácnost má v obci otevřený spor s pronajímatelem; navrhnout jiný byt.",
    "Chybí aktuální doklad o příjmu.",
)

WITHDRAW_NOTES: tuple[str, ...] = (
    "Domácnost mezitím získala nabídku ubytování u příbuzných.",
    "Návrh stažen, domácnost dočasně v nemocnici.",
    "Stažení na žádost domácnosti, chce vyčkat na byt blíže škole.",
)
