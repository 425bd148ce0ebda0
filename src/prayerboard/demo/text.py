"""The words of the demo: names, places in time, relations, and what people write per category.

Everything here was written for this project (no data sets); ``generator.py`` composes posts,
replies and updates from it, filling the ``{placeholders}`` per post. The text is kept apart
from the code so either can be read, and edited, on its own. Any change here changes what a
given seed produces, which is fine: only the same code and text must give the same board.
"""

from __future__ import annotations

from dataclasses import dataclass

FEMALE_NAMES = (
    "Grace",
    "Mary",
    "Sarah",
    "Ruth",
    "Hannah",
    "Esther",
    "Abigail",
    "Naomi",
    "Chloe",
    "Emily",
    "Olivia",
    "Sophia",
    "Maria",
    "Ana",
    "Lucía",
    "Chioma",
    "Ngozi",
    "Amara",
    "Priya",
    "Mei",
    "Linh",
    "Yuna",
    "Fatima",
    "Leah",
    "Rebecca",
    "Deborah",
    "Joy",
    "Faith",
    "Hope",
    "Karen",
    "Linda",
    "Patricia",
    "Jennifer",
    "Jessica",
    "Ashley",
    "Brittany",
    "Megan",
    "Kayla",
    "Aaliyah",
    "Imani",
    "Keisha",
    "Tamara",
    "Ingrid",
    "Sigrid",
    "Anneke",
    "Margaret",
    "Dorothy",
    "Helen",
    "Beatriz",
    "Camila",
    "Valentina",
    "Rosa",
    "Lydia",
    "Miriam",
    "Eunice",
    "Lois",
    "Priscilla",
    "Bethany",
    "Claire",
    "Fiona",
    "Siobhan",
    "Aoife",
    "Zanele",
    "Thandiwe",
    "Adaeze",
    "Kemi",
)
MALE_NAMES = (
    "David",
    "John",
    "Michael",
    "James",
    "Daniel",
    "Samuel",
    "Joseph",
    "Benjamin",
    "Caleb",
    "Nathan",
    "Matthew",
    "Luke",
    "Mark",
    "Peter",
    "Paul",
    "Thomas",
    "Andrew",
    "Stephen",
    "Philip",
    "Tim",
    "Josh",
    "Ryan",
    "Kevin",
    "Brian",
    "Eric",
    "Marcus",
    "Darnell",
    "Andre",
    "Malik",
    "Jamal",
    "Carlos",
    "José",
    "Luis",
    "Miguel",
    "Mateo",
    "Diego",
    "Emeka",
    "Chidi",
    "Tunde",
    "Kwame",
    "Kofi",
    "Raj",
    "Arjun",
    "Wei",
    "Minh",
    "Hiroshi",
    "Jae",
    "Omar",
    "Tobias",
    "Lars",
    "Henrik",
    "Pieter",
    "Sean",
    "Liam",
    "Connor",
    "Ewan",
    "Gareth",
    "Rhys",
    "Frank",
    "George",
    "Harold",
    "Walter",
    "Eli",
    "Isaac",
    "Jonah",
    "Micah",
    "Silas",
    "Sipho",
    "Themba",
)
SURNAMES = (
    "Okafor",
    "Adeyemi",
    "Mensah",
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Miller",
    "Davis",
    "Garcia",
    "Rodríguez",
    "Martínez",
    "Hernández",
    "López",
    "González",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Thompson",
    "White",
    "Harris",
    "Clark",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Tran",
    "Kim",
    "Park",
    "Chen",
    "Wang",
    "Li",
    "Patel",
    "Singh",
    "Sharma",
    "Khan",
    "Ali",
    "Murphy",
    "O'Brien",
    "Kelly",
    "Byrne",
    "Evans",
    "Hughes",
    "Morgan",
    "Price",
    "Jansen",
    "de Vries",
    "Bakker",
    "Müller",
    "Schmidt",
    "Larsen",
    "Nilsson",
    "Novak",
    "Kowalski",
    "Silva",
    "Santos",
    "Pereira",
    "Costa",
    "Dlamini",
    "Nkosi",
    "Mwangi",
    "Otieno",
    "Boateng",
    "Asante",
    "Campbell",
    "Stewart",
    "MacLeod",
    "Baker",
    "Carter",
    "Mitchell",
    "Roberts",
)
USERNAME_WORDS = (
    "grace",
    "hope",
    "joy",
    "faith",
    "psalm",
    "shalom",
    "mercy",
    "light",
    "seed",
    "river",
    "cedar",
    "olive",
    "dove",
    "morning",
    "lamp",
    "anchor",
    "harvest",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
# Durations that read well after "for", "after", "over", "since" and before "ago".
SPANS = (
    "two weeks",
    "three weeks",
    "a month",
    "six weeks",
    "two months",
    "three months",
    "four months",
    "six months",
    "nearly a year",
)
WHENS = (
    "on Monday",
    "on Tuesday morning",
    "this Wednesday",
    "on Thursday",
    "on Friday afternoon",
    "next week",
    "tomorrow",
    "early next month",
    "later this week",
    "on the 14th",
)

# (label, pronoun set, may carry a first name). Parents are "my mum", not "my mum Linda".
SHE, HE, THEY = "f", "m", "n"  # pronoun sets, the keys of PRONOUNS
RELATIONS: dict[str, tuple[tuple[str, str, bool], ...]] = {
    "elder": (
        ("mum", SHE, False),
        ("mom", SHE, False),
        ("mother", SHE, False),
        ("dad", HE, False),
        ("father", HE, False),
        ("grandmother", SHE, False),
        ("grandma", SHE, False),
        ("grandfather", HE, False),
        ("grandpa", HE, False),
        ("mother-in-law", SHE, False),
        ("father-in-law", HE, False),
        ("aunt", SHE, True),
        ("uncle", HE, True),
    ),
    "spouse": (
        ("husband", HE, False),
        ("wife", SHE, False),
    ),
    "child": (
        ("son", HE, True),
        ("daughter", SHE, True),
        ("teenage son", HE, True),
        ("teenage daughter", SHE, True),
        ("stepson", HE, True),
        ("stepdaughter", SHE, True),
        ("grandson", HE, True),
        ("granddaughter", SHE, True),
        ("nephew", HE, True),
        ("niece", SHE, True),
    ),
    "sibling": (
        ("brother", HE, True),
        ("sister", SHE, True),
        ("older brother", HE, True),
        ("younger sister", SHE, True),
        ("sister-in-law", SHE, True),
        ("brother-in-law", HE, True),
    ),
    "friend": (
        ("best friend", THEY, True),
        ("friend", THEY, True),
        ("coworker", THEY, True),
        ("neighbour", THEY, True),
        ("roommate", THEY, True),
        ("cousin", THEY, True),
        ("small group leader", THEY, True),
        ("old college friend", THEY, True),
    ),
}
RELATIONS["family"] = RELATIONS["elder"] + RELATIONS["spouse"] + RELATIONS["child"] + RELATIONS["sibling"]
RELATIONS["anyone"] = RELATIONS["family"] + RELATIONS["friend"]
RELATIONS["mourned"] = RELATIONS["elder"] + RELATIONS["spouse"] + RELATIONS["sibling"] + RELATIONS["friend"]

PRONOUNS = {
    SHE: {"they": "she", "them": "her", "their": "her", "is": "is", "has": "has", "was": "was", "s": "s"},
    HE: {"they": "he", "them": "him", "their": "his", "is": "is", "has": "has", "was": "was", "s": "s"},
    THEY: {"they": "they", "them": "them", "their": "their", "is": "are", "has": "have", "was": "were", "s": ""},
}


@dataclass(frozen=True)
class Scenario:
    """One situation a request can describe.

    Every title fits every situation, so a post takes one title and one situation, then
    perhaps a detail. Updates are in the order they would happen. ``about`` names a RELATIONS
    group when the post is about someone else, None when the writer speaks of themselves.
    ``heavy`` says whether the shared lines about feeling worn down fit.
    """

    about: str | None
    titles: tuple[str, ...]
    situations: tuple[str, ...]
    details: tuple[str, ...] = ()
    updates: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    heavy: bool = True


@dataclass(frozen=True)
class Testimony:
    """One kind of good news; every title fits every story."""

    titles: tuple[str, ...]
    stories: tuple[str, ...]
    details: tuple[str, ...] = ()
    about: str | None = None


@dataclass(frozen=True)
class Theme:
    """What people write in one category. ``asks`` fit every scenario of the theme."""

    scenarios: tuple[Scenario, ...]
    asks: tuple[str, ...]
    testimonies: tuple[Testimony, ...]
    replies: tuple[str, ...]


THEMES: dict[str, Theme] = {
    "Health and healing": Theme(
        scenarios=(
            Scenario(
                about="anyone",
                titles=(
                    "Prayer for {who}'s surgery {when}",
                    "{Who} goes in for surgery {when}",
                    "Please pray for {ref} before surgery",
                    "Surgery {when} for {who}",
                ),
                situations=(
                    "{Who} is having surgery {when}. The doctors say it is routine, but {they} {is} nervous and so am I.",
                    "After {span} of waiting, {who} finally has a surgery date: {when}. It is a long operation and recovery will take weeks.",
                    "{Who} has been in pain for {span} and the surgeons think an operation is the only way forward. It is scheduled {when}.",
                    "The surgery for {who} was moved up to {when} because the last scan showed things getting worse. We are grateful it is soon, and scared.",
                ),
                details=(
                    "{They} {has} never been in hospital before.",
                    "The hospital is two hours away, so we will be staying nearby.",
                    "The anaesthetic is what worries {them} most.",
                    "Recovery will take six to eight weeks, and {they} {is} not good at sitting still.",
                ),
                updates=(
                    "Update: the surgery is done and the surgeon was pleased. {Ref} is in recovery and already asking when {they} can go home.",
                    "{Ref} is home now. Recovery is slow and painful, so please keep praying for patience and good sleep.",
                    "Physio started this week. Small steps, but steps.",
                ),
                answered=(
                    "Praise report: {ref} is fully recovered and back to walking the dog every morning. Thank you all for praying.",
                    "The follow-up scan was clear and the surgeon said the healing is better than they usually see. Thank you, church.",
                ),
                asks=("Please pray for steady hands for the surgeons and a smooth recovery.",),
            ),
            Scenario(
                about="anyone",
                titles=(
                    "Cancer diagnosis for {who}",
                    "{Who} has cancer",
                    "Please pray for {ref} as {they} start{s} treatment",
                    "Prayer for {who}, starting chemo",
                ),
                situations=(
                    "We found out this week that {who} has cancer. The doctors caught it early, but we are all still in shock.",
                    "{Who} starts chemotherapy {when}. {They} {is} trying to stay positive, but the side effects frighten {them}.",
                    "The oncologist wants {who} to start treatment right away. {They} {is} strong, but this has knocked the wind out of all of us.",
                ),
                details=(
                    "{They} {has} three kids at home, so friends are organising meals and school runs.",
                    "The plan is six rounds of chemo over four months, then surgery.",
                    "{They} {is} more worried about the rest of us than about {their} own health.",
                ),
                updates=(
                    "Update: the first round of chemo is done. {They} {was} very tired but kept {their} sense of humour the whole time.",
                    "Halfway through treatment. Some days are rough. Thank you for every message, we read them to {ref} in the evenings.",
                ),
                answered=(
                    "Answered! The scan shows no evidence of disease. We cried in the car park. Thank you for carrying us in prayer.",
                    "{Ref} rang the bell at the cancer centre today. Treatment is over and the results are good. God is faithful.",
                ),
                asks=("Please pray that the treatment works and that the side effects are gentle.",),
            ),
            Scenario(
                about="anyone",
                titles=(
                    "Waiting on test results for {who}",
                    "Please pray for good news for {ref}",
                    "Prayer while we wait for results",
                ),
                situations=(
                    "{Who} had a biopsy last week and we get the results {when}. The waiting is the hardest part.",
                    "The doctors found a shadow on {who}'s scan and want more tests. We hear more {when}.",
                    "{Who} has been losing weight for {span} and nobody knows why. The results from the last round of tests come {when}.",
                ),
                updates=("Update: the results are delayed another week. Please keep praying for patience.",),
                answered=(
                    "The results came back benign! We are so relieved. Thank you for praying.",
                    "It was nothing serious after all. Thank you for carrying us through the waiting.",
                ),
                asks=("Would you pray for peace? The not-knowing is the worst part.",),
            ),
            Scenario(
                about=None,
                titles=(
                    "Prayer for healing",
                    "Still unwell after {span}",
                    "Tired of being sick",
                    "Health struggles, please pray",
                ),
                situations=(
                    "I have had migraines almost every day for {span}. I have tried everything the doctor suggested and nothing has helped.",
                    "For {span} I have been dealing with pain in my back and legs. The specialist appointment is {when}, but it feels far away.",
                    "I have seen four doctors over {span} and still do not know what is wrong. The fatigue makes it hard to work or even to pray.",
                    "My autoimmune condition has flared up again and has not settled in {span}. I am mostly stuck at home and feeling very isolated.",
                ),
                details=(
                    "I had to cancel plans with friends again this weekend.",
                    "My family has been amazing, but I hate being the one who always needs help.",
                    "I am trying to be patient with my body.",
                ),
                updates=(
                    "Update: the specialist finally listened and ordered new tests. I feel hopeful for the first time in a while.",
                    "A new medication has helped a little. Still hard days, but fewer of them. Thank you for praying.",
                ),
                answered=(
                    "I have a diagnosis and a treatment plan, and it is working. Three good weeks in a row. Thank you all so much.",
                    "The pain is nearly gone. I went for a long walk yesterday for the first time in a year. Praise God.",
                ),
                asks=("Please pray for healing, and that the doctors would find what is wrong.",),
            ),
            Scenario(
                about=None,
                titles=(
                    "Please pray for my mental health",
                    "Struggling right now",
                    "Prayer for peace of mind",
                ),
                situations=(
                    "My anxiety has been really bad for {span}. I wake up with my heart racing and cannot settle.",
                    "I have been fighting depression on and off for years, and the last few weeks it has come back hard.",
                    "I started having panic attacks at work and I am scared I will lose my job if it keeps happening.",
                    "I finally told my doctor how I have been feeling and I have my first counselling session {when}.",
                ),
                updates=(
                    "Update: the first counselling session went better than I expected. Small steps.",
                    "Still struggling, but I told two friends from church and they have been checking on me every day.",
                ),
                answered=(
                    "I am doing so much better. Counselling, a new routine and your prayers have made a real difference.",
                ),
                asks=("Please pray for peace, for good sleep, and that I would remember I am not alone.",),
            ),
            Scenario(
                about=None,
                titles=(
                    "Pregnancy complications, please pray",
                    "Prayer for our unborn baby",
                    "High-risk pregnancy",
                ),
                situations=(
                    "We are expecting our second baby and the doctors found some complications at the last scan.",
                    "The pregnancy has been high risk from the start. We have another scan {when}.",
                    "At the twenty-week scan they found a problem with the baby's heart. We see a specialist {when}.",
                ),
                updates=("Update: the scan looked better than last time. The doctors are cautiously optimistic.",),
                answered=(
                    "Our baby arrived safely on {day}, healthy and loud. Thank you for praying through every scary scan.",
                ),
            ),
            Scenario(
                about=None,
                titles=("Our baby is in the NICU", "Prayer for our premature baby"),
                situations=(
                    "Our little one arrived seven weeks early and is in the NICU. Tiny, but a fighter.",
                    "Our daughter was born on {day}, much earlier than planned, and is in intensive care.",
                    "Our son needed help breathing after he was born and is still in the NICU.",
                ),
                updates=("Update: the baby is breathing without help now. We even got to hold our little one today.",),
                answered=("Our baby came home today. Thank you for praying through every long night.",),
            ),
        ),
        asks=(
            "Please pray for healing, for wisdom for the doctors, and for peace.",
            "Please pray for strength for each day.",
            "Please pray for the medical team and for our family.",
            "I would be grateful for prayer for healing and for hope on the hard days.",
        ),
        testimonies=(
            Testimony(
                titles=("Good news from the doctor", "Answered prayer for my health", "Healing after a long year"),
                stories=(
                    "A year ago I asked this group to pray for me before a big operation. Today the doctor signed me off completely.",
                    "After months of tests, the latest scan came back clear. The doctor used the word 'remarkable'. I call it answered prayer.",
                    "My blood results are back in the normal range for the first time in two years.",
                    "I was in hospital for three weeks in the spring. So many of you prayed and sent messages. I am home, I am walking, and I am grateful.",
                ),
            ),
            Testimony(
                titles=("Good news about {who}", "{Who} is doing so much better", "Answered prayer for {who}"),
                stories=(
                    "{Who} came home from hospital on {day}. The doctors did not expect {them} to recover this quickly.",
                    "Some of you prayed for {who} when {they} {was} very ill last winter. {They} {is} back to full strength and gardening again.",
                ),
                about="anyone",
            ),
        ),
        replies=(
            "Praying for healing and for wisdom for the doctors.",
            "Praying for good news and peace while you wait.",
            "Praying for rest and for strength for each day.",
            "Asking God to be close to you and to everyone caring for you.",
        ),
    ),
    "Family and marriage": Theme(
        scenarios=(
            Scenario(
                about="spouse",
                titles=("Our marriage is struggling", "Prayer for my marriage", "Please pray for {who} and me"),
                situations=(
                    "{Who} and I have been arguing constantly for {span}. We love each other but we keep hurting each other.",
                    "{Who} and I started marriage counselling {when}. It is hard work and we both need patience.",
                    "After twelve years of marriage, {who} and I feel more like roommates than partners. I do not want to give up.",
                ),
                updates=(
                    "Update: we had our third counselling session. We actually laughed together afterwards, first time in ages.",
                    "Some good days and some hard ones. Thank you for praying, we both feel it.",
                ),
                answered=(
                    "Our counsellor says we do not need weekly sessions anymore. We are in a much better place. Thank you.",
                ),
            ),
            Scenario(
                about="child",
                titles=("Prayer for {who} at school", "Worried about {who}", "Please pray for {ref}"),
                situations=(
                    "{Who} is being bullied at school and has started refusing to go. {They} {is} usually so cheerful.",
                    "{Who} starts at a new school {when} and is very anxious about making friends.",
                    "We have been waiting {span} for an assessment for {ref}. The school is not coping and neither are we.",
                ),
                updates=("Update: the school has a plan in place and {ref} went in every day this week.",),
                answered=(
                    "{Ref} has made two good friends and now runs into school in the mornings. Thank you for praying.",
                ),
            ),
            Scenario(
                about="child",
                titles=("Worried about {who}", "Please pray for {ref}", "{Who} is drifting away"),
                situations=(
                    "{Who} has pulled away from the family and from church. I do not know how to reach {them} right now.",
                    "{Who} has stopped talking to us about anything real. We get one-word answers and a closed door.",
                    "{Who} is spending time with people who are not good for {them}, and it is showing.",
                ),
                updates=("Update: we had a long talk on Sunday. Still a long way to go, but it was a gift.",),
                answered=("{Ref} called me yesterday just to talk. Prayer answered, in God's timing.",),
                asks=("Pray for me to know when to speak and when to just love.",),
            ),
            Scenario(
                about="elder",
                titles=("Caring for my {label}", "Hard decisions about {who}'s care", "Please pray for {ref}"),
                situations=(
                    "{Who} has dementia and is getting more confused every week. We need to decide about care soon.",
                    "{Who} fell again last week. {They} want{s} to stay at home, but it is not safe anymore.",
                    "{Who} is moving in with us {when}. We want to do this well, and we are already exhausted.",
                ),
                updates=(
                    "Update: we had a family meeting and everyone is on the same page, which is a small miracle.",
                    "Some hard days, but also lots of laughing at the dinner table.",
                ),
                answered=("{Ref} is settled, safe and happy. Thank you for praying us through a hard season.",),
            ),
            Scenario(
                about=None,
                titles=("Longing for a child", "Waiting to become parents", "Please pray for our family to grow"),
                situations=(
                    "My husband and I have been trying for a baby for three years. Another month, another disappointment.",
                    "We submitted our adoption paperwork {when}. The wait could be long and we are trying to hold it loosely.",
                    "We had our second miscarriage last month. I am struggling to go to church when there are babies everywhere.",
                ),
                updates=(
                    "Update: still waiting, and some days are harder than others. Thank you for walking with us.",
                ),
                answered=(
                    "We are matched! A little boy, nine months old. We meet him next week. Thank you for praying for so long.",
                    "I am pregnant, and everything looks healthy at twelve weeks. We are so thankful.",
                ),
            ),
        ),
        asks=(
            "Please pray for patience, for wisdom, and for soft hearts on all sides.",
            "Pray for peace in our home.",
            "Would you pray for our family? We need God's help with this one.",
        ),
        testimonies=(
            Testimony(
                titles=("Reconciled after years apart", "Our family is talking again"),
                stories=(
                    "My sister and I had not spoken in five years. Last weekend she called me. We talked for two hours and both cried.",
                    "My dad and I had a real conversation for the first time since the divorce. We are meeting for lunch every month now.",
                ),
            ),
            Testimony(
                titles=("Our marriage is stronger than ever", "Thankful for my marriage"),
                stories=(
                    "Some of you prayed for our marriage last year when things were very dark. This week we renewed our vows.",
                    "We celebrated our twenty-fifth anniversary on {day}. It has not been easy, but God has been faithful at every turn.",
                ),
            ),
            Testimony(
                titles=("Answered prayer for {who}", "Years of praying for {who}"),
                stories=(
                    "For years I prayed for {who} to come back to faith. On Sunday {they} sat next to me in church.",
                    "{Who} called to apologise for something that happened years ago. I never thought I would hear those words.",
                ),
                about="family",
            ),
        ),
        replies=(
            "Praying for peace in your home tonight.",
            "Praying for your family. You are not alone in this.",
            "As a parent I feel this. Praying for wisdom and patience.",
            "Praying that every conversation this week would be gentle.",
        ),
    ),
    "Grief and loss": Theme(
        scenarios=(
            Scenario(
                about="mourned",
                titles=("{Who} passed away", "Grieving {who}", "Please pray for us, we lost {who}"),
                situations=(
                    "{Who} passed away on {day} after a short illness. {They} {was} the heart of our family.",
                    "We lost {who} very suddenly last week. There was no time to say goodbye.",
                    "We lost {who} on {day}. The funeral is {when}, I have been asked to speak, and I do not know how I will get through it.",
                    "It has been {span} since {who} died and the grief is coming in waves I did not expect.",
                ),
                details=(
                    "{They} would have hated all this fuss.",
                    "I keep picking up my phone to call {them}.",
                    "The house is full of people and food, and I still feel alone.",
                ),
                updates=(
                    "Update: the funeral was beautiful. So many people came who were touched by {their} life.",
                    "The first holiday without {them} is coming up. Please keep praying for us.",
                ),
            ),
            Scenario(
                about=None,
                titles=("Grief is hitting hard", "A hard week of grief", "Missing someone today"),
                situations=(
                    "Next week is one year since we lost our baby. I thought it would get easier by now.",
                    "My dad died two years ago and the grief has suddenly come back harder than ever.",
                    "Our dog of fourteen years died this morning. I know it is not the same as losing a person, but our house feels empty.",
                ),
                updates=("Update: friends came round and we lit a candle together. It helped.",),
            ),
        ),
        asks=(
            "Please pray for comfort for all of us.",
            "Pray that we would grieve with hope.",
            "Please pray for strength for the days ahead and for the practical things that need doing.",
            "I do not really know what to ask for. Just please pray.",
        ),
        testimonies=(
            Testimony(
                titles=("Comfort in grief", "God met me in the grief", "A year on"),
                stories=(
                    "A year ago I posted here when my husband died. I want you to know that your prayers held me up when I could not pray myself.",
                    "The grief is still there, but it has softened. I can laugh about our memories now. God has been close.",
                    "On the anniversary of Mum's death our whole family went to her favourite beach. It was sad and beautiful and full of peace.",
                ),
            ),
        ),
        replies=(
            "I am so sorry for your loss. Praying for comfort.",
            "Holding you and your family in prayer.",
            "So sorry. Praying you feel God close in the hard moments.",
            "Praying for comfort, and for good memories to come back gently.",
        ),
    ),
    "Work and provision": Theme(
        scenarios=(
            Scenario(
                about=None,
                titles=("Job interview {when}", "Please pray for my interview {when}", "Big interview {when}"),
                situations=(
                    "I was laid off {span} ago and have applied for more than fifty jobs. I finally have an interview {when}.",
                    "I have an interview {when} for a job I would love. It would mean less travel and more time with my kids.",
                    "After {span} of looking, I have an interview {when}. I am trying not to get my hopes up.",
                ),
                updates=("Update: the interview went well. They said they will decide within two weeks.",),
                answered=(
                    "I got the job! I start on {day}. Thank you all for praying.",
                    "Offer accepted. Better pay and a shorter commute than my old job. God provided.",
                ),
                asks=("Please pray for a calm mind, clear answers, and favour with the panel.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Looking for work, please pray", "Prayer for a new job", "The job search is wearing me down"),
                situations=(
                    "My contract ends at the end of the month and nothing has come through yet.",
                    "I was laid off {span} ago. I have sent out dozens of applications and heard almost nothing back.",
                    "After {span} of looking, I am starting to lose confidence. Every rejection feels personal.",
                ),
                updates=("Still no offer, but two promising applications went in this week. Still trusting.",),
                answered=(
                    "I got a job offer today, and it is a better fit than anything I applied for. Thank you for praying through a long season.",
                ),
            ),
            Scenario(
                about=None,
                titles=("Money is very tight", "Prayer for provision", "Struggling financially"),
                situations=(
                    "We are behind on rent and the landlord has given us until the end of the month.",
                    "Our car broke down and we cannot afford the repair. I need it to get to work.",
                    "Since the baby arrived we have been on one income and the numbers just do not add up.",
                ),
                updates=(
                    "Update: a few small things have come through this week. We are not there yet, but we are not alone.",
                ),
                answered=(
                    "We are caught up for the first time in months, thanks to extra shifts and kindness from people we barely know.",
                ),
                asks=("Pray for provision, and that I would not be ruled by worry.",),
            ),
            Scenario(
                about=None,
                titles=("Hard situation at work", "Dreading Monday mornings", "Prayer for my workplace"),
                situations=(
                    "My new manager has made work really difficult and I dread Monday mornings.",
                    "A colleague keeps taking credit for my work and I do not know how to handle it well.",
                    "There are layoffs coming at work and everyone is on edge.",
                ),
                updates=("Update: this week was a little easier. Thank you for praying.",),
                answered=("Things at work have turned around. I actually enjoy going in again.",),
            ),
            Scenario(
                about=None,
                titles=("Big decision about my career", "Need wisdom for a work decision", "At a crossroads at work"),
                situations=(
                    "I have been offered a promotion, but it would mean moving to another city. We need wisdom.",
                    "I am thinking about leaving my job to go back to school. It is a big risk at my age.",
                    "I have been offered a job at a small charity. Less money, more meaning, and a lot to think about.",
                ),
                updates=("Update: we made a list of pros and cons and talked to people we trust. Still praying.",),
                answered=("I made the decision and I have real peace about it. Thank you for praying for wisdom.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Starting a new job {when}", "New job, nervous and excited"),
                situations=(
                    "I am starting a new job {when} and I want to be a good colleague and a light there.",
                    "I start a new job {when} after {span} out of work. I am excited and nervous in equal measure.",
                ),
                updates=("Update: first week done. The team is lovely.",),
                heavy=False,
            ),
            Scenario(
                about="spouse",
                titles=("{Who} lost {their} job", "Prayer for {who}'s job search"),
                situations=(
                    "{Who} lost {their} job on {day}. It came out of nowhere and {they} {is} taking it hard.",
                    "{Who} has been looking for work for {span}. {They} {is} discouraged and I do not know how to help.",
                ),
                updates=("Update: {ref} has two interviews next week.",),
                answered=("{Ref} started a new job on Monday and loves {their} team. Thank you for praying.",),
            ),
        ),
        asks=(
            "Please pray for the right door to open.",
            "Please pray for peace whatever the outcome.",
            "Pray for wisdom to make good decisions for our family.",
        ),
        testimonies=(
            Testimony(
                titles=("New job after eight months", "I got the job!", "God provided a job"),
                stories=(
                    "Eight months ago I lost my job. Yesterday I signed a contract for a role that fits me better than the old one ever did.",
                    "After more than a hundred applications I start a new job on {day}. The people who interviewed me said my answers were the most honest they had heard.",
                ),
            ),
            Testimony(
                titles=("God provided, again", "Provision right on time", "An unexpected gift"),
                stories=(
                    "We were short exactly the amount we needed for rent. The same day a refund we had forgotten about arrived.",
                    "A neighbour who knew nothing about our situation left groceries on our doorstep. We had been praying that morning.",
                ),
            ),
            Testimony(
                titles=("Debt free!", "The last payment"),
                stories=("After five years of careful budgeting we made the last payment on our debt this week.",),
            ),
        ),
        replies=(
            "Praying the right door opens soon.",
            "Praying for favour and for peace.",
            "Praying for provision. God sees you.",
            "Been through this myself. Praying for you, it does get better.",
        ),
    ),
    "Faith and guidance": Theme(
        scenarios=(
            Scenario(
                about=None,
                titles=("Feeling far from God", "A season of doubt", "Struggling in my faith"),
                situations=(
                    "For {span} I have felt like my prayers hit the ceiling. I still show up, but it feels dry.",
                    "I have a lot of questions about my faith right now and I do not always feel safe asking them.",
                    "Church has felt like going through the motions for {span}.",
                ),
                updates=("Update: I met with our pastor and it helped to say things out loud.",),
                answered=("The joy is slowly coming back. Thank you for praying when I could not.",),
                asks=("Please pray for faith to keep going when I cannot feel anything.",),
            ),
            Scenario(
                about=None,
                titles=("Need wisdom for a decision", "Prayer for guidance", "Discerning what is next"),
                situations=(
                    "We are trying to decide whether to move closer to family. Both options have good reasons.",
                    "I keep feeling a nudge towards ministry, but I am not sure if it is God or just restlessness.",
                    "We have been asked to lead a small group and are not sure we have the capacity right now.",
                ),
                updates=("Still no clear answer, but a bit more peace about waiting.",),
                answered=(
                    "We made the decision and the peace has been remarkable. Thank you for praying for guidance.",
                ),
                heavy=False,
            ),
            Scenario(
                about="anyone",
                titles=("Prayer for {who} to find faith", "Praying for {who}", "Please pray for {ref}'s heart"),
                situations=(
                    "{Who} has started asking questions about God. I want to answer honestly and without pressure.",
                    "I have been praying for {who} for years. {They} agreed to come to church with me this Sunday.",
                ),
                updates=("Update: {ref} came along and stayed for lunch afterwards.",),
                answered=("{Ref} was baptised on Sunday. I cannot stop smiling.",),
                heavy=False,
            ),
        ),
        asks=(
            "Please pray for clarity and for patience while I wait.",
            "Pray that I would hear God's voice and have the courage to follow.",
            "Pray for wisdom and for peace.",
        ),
        testimonies=(
            Testimony(
                titles=("Baptised on Sunday", "I got baptised!"),
                stories=(
                    "I was baptised on Sunday in front of my whole family. A year ago I did not believe any of this.",
                    "After years of going to church on and off, I was baptised this weekend. My small group cheered louder than anyone.",
                ),
            ),
            Testimony(
                titles=("Back from a dry season", "The joy is coming back"),
                stories=(
                    "For months I felt nothing when I prayed. Slowly, through friends and through the Psalms, joy has come back.",
                ),
            ),
            Testimony(
                titles=("God answered in an unexpected way", "Not the answer I expected"),
                stories=(
                    "I asked for a clear sign and did not get one. What I got instead was a quiet peace that has not left.",
                ),
            ),
        ),
        replies=(
            "Praying for clarity and for peace while you wait.",
            "Dry seasons are real. Praying you sense God near again.",
            "Praying for wisdom. Psalm 32:8 has helped me in similar times.",
            "Praying for courage to take the next step.",
        ),
    ),
    "Addiction and recovery": Theme(
        scenarios=(
            Scenario(
                about=None,
                titles=("Prayer for my recovery", "Please pray for my sobriety", "One day at a time"),
                situations=(
                    "I am thirty days sober today. The cravings in the evenings are hard.",
                    "I relapsed last weekend after a year clean and I am so ashamed.",
                    "I started a recovery programme {when}. I know I cannot do this alone.",
                ),
                updates=(
                    "Update: still sober, and I have a sponsor now.",
                    "Made it through a family wedding without drinking. One day at a time.",
                ),
                answered=("Today is one year sober. Thank you for praying for me every step.",),
                asks=("Please pray that shame would not win.",),
            ),
            Scenario(
                about="anyone",
                titles=("{Who} is struggling with addiction", "Please pray for {ref}"),
                situations=(
                    "{Who} went into rehab on {day}. It took years to get here.",
                    "{Who} has been drinking heavily again and I am frightened for {them}.",
                ),
                updates=("Update: {ref} is halfway through the programme and sounded hopeful on the phone.",),
                answered=("{Ref} is six months clean. We had dinner together and it felt like having {them} back.",),
                asks=("Pray for wisdom for me as I try to support without enabling.",),
            ),
        ),
        asks=("Please pray for strength one day at a time.", "Pray for freedom, and for good people around us."),
        testimonies=(
            Testimony(
                titles=("Free from addiction", "Celebrating a milestone in recovery", "Clean and grateful"),
                stories=(
                    "Today I am one year sober. A year ago I could not imagine a week.",
                    "I smoked for twenty years and tried to quit more times than I can count. It has been six months now.",
                    "Five years ago I was in a hospital bed. Today I help lead a recovery group at church.",
                ),
            ),
        ),
        replies=(
            "Praying for you one day at a time. You are not alone.",
            "Proud of you for reaching out. Praying for strength tonight.",
            "Praying for freedom and for good people around you.",
        ),
    ),
    "Church and mission": Theme(
        scenarios=(
            Scenario(
                about=None,
                titles=("Mission trip {when}", "Prayer for our mission team"),
                situations=(
                    "Our team leaves for a two-week mission trip {when}. We will be helping to build a school.",
                    "Our medical team flies out {when} to run a clinic for two weeks.",
                ),
                updates=("Update: the team arrived safely and the work has started.",),
                answered=("The team is home safe and the work was finished on time. Thank you for praying.",),
                asks=("Pray for safety, good health, and open hearts.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Prayer for youth camp", "Youth camp starts {when}"),
                situations=(
                    "Youth camp starts {when} with about sixty teenagers. Pray for the leaders, we will be tired.",
                    "This is our first year running a summer camp for kids from the estate. It starts {when}.",
                ),
                updates=("Camp is halfway. Lots of good conversations around the fire.",),
                answered=("Camp is over, and several kids asked to keep meeting on Friday nights.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Our church plant needs a new home", "Looking for a building"),
                situations=(
                    "Our little church plant meets in a school hall and has grown to forty people. We need a new space.",
                    "We have to leave the hall we meet in at the end of term and have nowhere to go yet.",
                ),
                answered=("We signed a lease on a building that is perfect for us, at half the price we expected.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Prayer for the food bank", "Volunteers needed for the food bank"),
                situations=(
                    "The food bank has twice as many families coming as last year and not enough volunteers.",
                    "Donations to the food bank are down and the shelves are emptier than I have ever seen them.",
                ),
                answered=("Twelve new volunteers and a van full of donations this month. Thank you for praying.",),
                heavy=False,
            ),
            Scenario(
                about=None,
                titles=("Our church is going through a hard time", "Prayer for our church"),
                situations=(
                    "Our pastor announced he is retiring after twenty years. It is a big change for all of us.",
                    "There has been a lot of conflict in our church over the building project.",
                    "Our church is small and ageing and we are not sure about the future.",
                ),
                updates=("Update: the elders held an honest meeting and people really listened to each other.",),
                answered=("Our church feels more hopeful than it has in years. Thank you for praying.",),
                asks=("Please pray for unity and for humility among the leaders.",),
            ),
        ),
        asks=("Please pray that we would love our neighbourhood well.", "Pray for the right people to step up."),
        testimonies=(
            Testimony(
                titles=("Mission trip report", "Home from the mission trip"),
                stories=(
                    "Our team came back from the mission trip last week. Everyone stayed healthy and the clinic is now open.",
                ),
            ),
            Testimony(
                titles=("Our church plant turned one", "Happy birthday, little church"),
                stories=(
                    "Our church plant celebrated its first birthday on Sunday with a picnic for the whole neighbourhood.",
                ),
            ),
            Testimony(
                titles=("The food bank has enough volunteers", "Answered prayer for the food bank"),
                stories=("After a call for help here, twelve new people signed up for the food bank rota.",),
            ),
        ),
        replies=(
            "Praying for everyone involved.",
            "Praying for unity in your church.",
            "Praying for the volunteers and the families you serve.",
        ),
    ),
    "Thanksgiving": Theme(
        scenarios=(
            Scenario(
                about=None,
                titles=("Grateful, and still asking", "Thankful but tired"),
                situations=(
                    "So many good things have happened this year, and I want to stay thankful when things get hard again.",
                    "I have a lot to be grateful for, but I am also worn out. Pray I would rest well.",
                ),
                updates=("Update: took a real day off and spent it outside. Very grateful.",),
                heavy=False,
            ),
        ),
        asks=("Please pray for a thankful heart.", "Pray that I would notice the good gifts every day."),
        testimonies=(
            Testimony(
                titles=("Just wanted to say thank you", "Grateful for this community"),
                stories=(
                    "I do not post much, but I read here every day. Your prayers have carried me through a very hard year.",
                    "When I was at my lowest, people here prayed for me by name. I will never forget that.",
                ),
            ),
            Testimony(
                titles=("Small things, big thanks", "Counting my blessings", "Thankful tonight"),
                stories=(
                    "Today was a completely ordinary day and I was thankful for every bit of it.",
                    "Our family is together, healthy, and laughing at the kitchen table tonight. That is enough.",
                    "The house is finally sold, the move went smoothly, and the neighbours brought a cake. We feel welcome already.",
                ),
            ),
            Testimony(
                titles=("A year of answered prayers", "Looking back with thanks"),
                stories=(
                    "Looking back at my posts from last year, almost every request has been answered, some in ways I did not expect.",
                ),
            ),
        ),
        replies=(
            "Thank you for sharing this, it encouraged me today.",
            "Love reading this. Thank you for the reminder to be grateful.",
        ),
    ),
}

GENERIC_THEME = Theme(
    scenarios=(
        Scenario(
            about=None,
            titles=("Unspoken request", "Please pray for me this week", "A hard week", "Need prayer"),
            situations=(
                "I cannot share all the details, but I am going through something hard right now.",
                "This week has been one thing after another and I am running on empty.",
                "I have a difficult conversation {when} and I am dreading it.",
            ),
            updates=("Update: things are a little better. Thank you for praying.",),
            answered=("The thing I asked you to pray about has been resolved. Thank you.",),
        ),
        Scenario(
            about=None,
            titles=("Moving house {when}", "Prayer for our move"),
            situations=(
                "We are moving house {when} and everything that could go wrong has gone wrong.",
                "We are moving across the country {when} for my husband's job. The kids are upset about leaving their friends.",
            ),
            updates=("Update: the van is booked and most of the boxes are packed.",),
            answered=("We are in the new house, the kids have friends already, and we found a church we love.",),
            heavy=False,
        ),
        Scenario(
            about="anyone",
            titles=("Prayer for {who}", "Please pray for {ref}", "{Who} could use some prayer"),
            situations=(
                "{Who} is going through a really hard season and asked me to post here.",
                "{Who} has a court date {when}. It is complicated and I cannot say much.",
                "{Who} is travelling overseas {when} for work and is nervous about the trip.",
            ),
            updates=("Update from {ref}: {they} felt your prayers this week.",),
            answered=("Good news from {ref}. Thank you all for praying.",),
        ),
    ),
    asks=("Please pray for peace and for wisdom.", "Pray for strength to take the next step."),
    testimonies=(
        Testimony(
            titles=("Answered prayer", "God came through", "A quiet miracle"),
            stories=(
                "A few weeks ago I asked for prayer about something I could not share. It has been resolved better than I hoped.",
                "I want to share a small answered prayer, because small ones count too. The thing I was dreading went well.",
            ),
        ),
    ),
    replies=("Praying for you.", "Praying with you tonight."),
)

OPENERS = (
    "Hi everyone,",
    "Hi all,",
    "Hello friends,",
    "I do not usually post here, but I need help.",
    "Long-time reader, first post.",
    "I have been putting off writing this.",
    "Asking again, because you have been so faithful to pray.",
    "Not sure how to start this.",
    "Thank you for reading.",
    "Good morning, prayer warriors.",
)
FEELINGS = (
    "It has been a long few weeks.",
    "Some days I feel fine and some days I can barely get out of bed.",
    "I am trying to trust God with it, but honestly I am scared.",
    "I have not been sleeping well.",
    "Everyone keeps asking how we are and I never know what to say.",
    "I keep telling myself it will be okay.",
    "It is a lot to carry.",
    "I feel numb most of the time.",
    "We are holding on to hope.",
    "I am tired, but I know I am not alone.",
)
COMMON_ASKS = (
    "Please pray.",
    "Any prayers are appreciated.",
    "I would be so grateful for your prayers.",
    "Please keep us in your prayers this week.",
)
CLOSINGS = (
    "Thank you all so much.",
    "Thank you for praying.",
    "Grateful for this community.",
    "Thank you, I know I can count on you.",
    "Bless you all.",
    "Thanks for listening.",
    "Will update when I know more.",
    "Thank you for being here.",
)
TESTIMONY_OPENERS = (
    "I wanted to come back and share some good news.",
    "Some of you prayed about this months ago, so I wanted you to know.",
    "Posting this to encourage someone who is still waiting.",
    "I have been waiting to share this.",
    "Praise report!",
)
TESTIMONY_CLOSINGS = (
    "Thank you for praying. God is faithful.",
    "If you are still waiting on something, do not give up.",
    "To God be the glory.",
    "Thank you for carrying us in prayer.",
    "Still a little stunned, honestly.",
    "Grateful beyond words.",
)
SCRIPTURE_LINES = (
    "Philippians 4:6-7 has been on my fridge all week.",
    "Holding on to Psalm 46:1: God is our refuge and strength, a very present help in trouble.",
    "I keep reading Psalm 23.",
    "Romans 8:28 feels hard to believe right now, but I am choosing to.",
    "Isaiah 41:10 is getting me through.",
    "Lamentations 3:22-23 has been my morning prayer.",
    "Matthew 11:28 is the verse I need this week.",
    "Psalm 34:18 says the Lord is near to the broken-hearted. I am counting on that.",
)
TESTIMONY_SCRIPTURE_LINES = (
    "Psalm 103:2: Bless the Lord, O my soul, and forget not all his benefits.",
    "Psalm 126:3 says it best: the Lord has done great things for us, and we are glad.",
    "Lamentations 3:22-23 has never felt more true.",
    "Ephesians 3:20, more than we could ask or imagine.",
    "Psalm 30:5: weeping may stay for the night, but joy comes in the morning.",
)
URL_LINES = (
    "A few people asked how to help, so there is a meal rota here: https://example.org/meals/{n}",
    "There is a fundraising page if anyone wants to help: https://example.com/fundraiser/{n}",
    "This article helped me understand what we are facing: https://example.org/articles/{n}",
    "The church has set up a sign-up sheet for visits: https://example.org/signup/{n}",
    "We are sharing updates here for family far away: https://example.com/updates/{n}",
)
REQUEST_REPLIES = (
    "Praying for you right now.",
    "Praying!",
    "Lifting this up tonight.",
    "Praying for you and your family.",
    "Praying for peace and strength.",
    "Added you to my prayer list. Please keep us updated.",
    "I am so sorry you are going through this. Praying.",
    "Praying, and sending a big hug.",
    "Our small group prayed for you tonight.",
    "Standing with you in prayer.",
    "You are not alone in this. Praying.",
    "Prayed for you this morning and will keep praying.",
    "Praying for God's peace that passes understanding.",
    "Praying that you feel held this week.",
    "Praying. Let me know if you need anything practical.",
    "Thank you for trusting us with this. Praying.",
    "Praying for you. I have been in a similar place and it does get better.",
    "Lifting you up. Psalm 121 for you today.",
)
TESTIMONY_REPLIES = (
    "Praise God! Thank you for sharing this.",
    "This made my day.",
    "So happy for you!",
    "What wonderful news. Thank you for coming back to tell us.",
    "Amen! God is good.",
    "I needed to read this today. Thank you.",
    "Celebrating with you!",
    "I remember praying for this. So glad.",
    "Tears reading this. Praise God.",
)
AUTHOR_REPLIES = (
    "Thank you all so much, I have read every message.",
    "Thank you, this means more than you know.",
    "I am overwhelmed by your kindness. Thank you.",
    "Thank you for praying. I will post an update soon.",
    "Your messages have been such an encouragement this week.",
)
REPLY_ADDITIONS = (
    "Keep us posted.",
    "Sending love.",
    "Hugs from across the world.",
    "Will pray again tomorrow.",
    "God bless.",
    "Thinking of you.",
)
