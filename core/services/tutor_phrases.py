"""The offline tutor's own words, in the student's language.

Offline, the tutor cannot translate the course: it quotes the material as written and says
so, in the language the student asked in. These few lines are all it ever writes itself.
Each value has the same placeholders as its English line.
"""

from __future__ import annotations

from core.languages import NATIVE_NAMES

# The quotes are in the language the student reads.
_LEAD_SAME = {
    "en": "From the course material:",
    "hi": "पाठ्यक्रम सामग्री से:",
    "bn": "কোর্সের পাঠ্য থেকে:",
    "mr": "अभ्यासक्रमाच्या साहित्यातून:",
    "ta": "பாடப் பொருளிலிருந்து:",
    "te": "కోర్సు పాఠ్యాంశం నుండి:",
    "kn": "ಪಠ್ಯಕ್ರಮದ ವಿಷಯದಿಂದ:",
    "ml": "കോഴ്സ് പാഠത്തിൽ നിന്ന്:",
    "gu": "અભ્યાસક્રમની સામગ્રીમાંથી:",
    "pa": "ਕੋਰਸ ਸਮੱਗਰੀ ਵਿੱਚੋਂ:",
    "od": "ପାଠ୍ୟକ୍ରମ ସାମଗ୍ରୀରୁ:",
    "de": "Aus dem Kursmaterial:",
    "fr": "D'après le support de cours :",
    "es": "Del material del curso:",
}
# The quotes are in another language: {material} is its name in itself (English, Deutsch, ...).
_LEAD_OTHER = {
    "en": "From the course material, quoted as written ({material}):",
    "hi": "पाठ्यक्रम सामग्री से, जैसी लिखी है वैसी ही उद्धृत ({material} में):",
    "bn": "কোর্সের পাঠ্য থেকে, যেমন লেখা আছে তেমনই উদ্ধৃত ({material}):",
    "mr": "अभ्यासक्रमाच्या साहित्यातून, जसे लिहिले आहे तसे उद्धृत ({material} मध्ये):",
    "ta": "பாடப் பொருளிலிருந்து, எழுதியபடியே மேற்கோள் ({material}):",
    "te": "కోర్సు పాఠ్యాంశం నుండి, రాసినట్లే ఉదహరించబడింది ({material}):",
    "kn": "ಪಠ್ಯಕ್ರಮದ ವಿಷಯದಿಂದ, ಬರೆದಂತೆಯೇ ಉಲ್ಲೇಖಿಸಲಾಗಿದೆ ({material}):",
    "ml": "കോഴ്സ് പാഠത്തിൽ നിന്ന്, എഴുതിയതുപോലെ ഉദ്ധരിച്ചത് ({material}):",
    "gu": "અભ્યાસક્રમની સામગ્રીમાંથી, જેમ લખ્યું છે તેમ ટાંક્યું છે ({material}):",
    "pa": "ਕੋਰਸ ਸਮੱਗਰੀ ਵਿੱਚੋਂ, ਜਿਵੇਂ ਲਿਖਿਆ ਹੈ ਉਵੇਂ ਹੀ ਹਵਾਲਾ ({material}):",
    "od": "ପାଠ୍ୟକ୍ରମ ସାମଗ୍ରୀରୁ, ଯେପରି ଲେଖାଯାଇଛି ସେପରି ଉଦ୍ଧୃତ ({material}):",
    "de": "Aus dem Kursmaterial, im Wortlaut zitiert ({material}):",
    "fr": "D'après le support de cours, cité tel quel ({material}) :",
    "es": "Del material del curso, citado tal como está escrito ({material}):",
}
_NOT_COVERED = {
    "en": "The course material does not cover this.",
    "hi": "पाठ्यक्रम सामग्री में यह विषय शामिल नहीं है।",
    "bn": "কোর্সের পাঠ্যে এই বিষয়টি নেই।",
    "mr": "अभ्यासक्रमाच्या साहित्यात हा विषय नाही.",
    "ta": "பாடப் பொருளில் இது இடம்பெறவில்லை.",
    "te": "కోర్సు పాఠ్యాంశంలో ఈ విషయం లేదు.",
    "kn": "ಪಠ್ಯಕ್ರಮದ ವಿಷಯದಲ್ಲಿ ಇದು ಒಳಗೊಂಡಿಲ್ಲ.",
    "ml": "കോഴ്സ് പാഠത്തിൽ ഇത് ഉൾപ്പെടുന്നില്ല.",
    "gu": "અભ્યાસક્રમની સામગ્રીમાં આ વિષય નથી.",
    "pa": "ਕੋਰਸ ਸਮੱਗਰੀ ਵਿੱਚ ਇਹ ਵਿਸ਼ਾ ਸ਼ਾਮਲ ਨਹੀਂ ਹੈ।",
    "od": "ପାଠ୍ୟକ୍ରମ ସାମଗ୍ରୀରେ ଏହି ବିଷୟ ନାହିଁ।",
    "de": "Das Kursmaterial behandelt das nicht.",
    "fr": "Le support de cours ne traite pas de ce sujet.",
    "es": "El material del curso no trata este tema.",
}
# {topics}: section titles of the course, as written.
_NEARBY = {
    "en": "Closest topics the course does cover: {topics}.",
    "hi": "इससे मिलते-जुलते विषय जो पाठ्यक्रम में हैं: {topics}।",
    "bn": "কাছাকাছি যে বিষয়গুলি কোর্সে আছে: {topics}।",
    "mr": "याच्या जवळचे विषय जे अभ्यासक्रमात आहेत: {topics}.",
    "ta": "பாடத்தில் உள்ள நெருக்கமான தலைப்புகள்: {topics}.",
    "te": "కోర్సులో ఉన్న దగ్గరి అంశాలు: {topics}.",
    "kn": "ಪಠ್ಯಕ್ರಮದಲ್ಲಿರುವ ಹತ್ತಿರದ ವಿಷಯಗಳು: {topics}.",
    "ml": "കോഴ്സിലുള്ള അടുത്ത വിഷയങ്ങൾ: {topics}.",
    "gu": "અભ્યાસક્રમમાં આવરી લીધેલા નજીકના વિષયો: {topics}.",
    "pa": "ਕੋਰਸ ਵਿੱਚ ਸ਼ਾਮਲ ਨੇੜਲੇ ਵਿਸ਼ੇ: {topics}।",
    "od": "ପାଠ୍ୟକ୍ରମରେ ଥିବା ନିକଟତମ ବିଷୟ: {topics}।",
    "de": "Nahe Themen, die der Kurs behandelt: {topics}.",
    "fr": "Sujets proches que le cours traite : {topics}.",
    "es": "Temas cercanos que el curso sí trata: {topics}.",
}
PHRASE_TABLES = (_LEAD_SAME, _LEAD_OTHER, _NOT_COVERED, _NEARBY)


def lead_line(student: str, material: str) -> str:
    """The line before the quotes: where they come from and, when the student reads another
    language, that they are quoted as written and in which language."""
    if student == material:
        return _LEAD_SAME.get(student, _LEAD_SAME["en"])
    line = _LEAD_OTHER.get(student, _LEAD_OTHER["en"])
    return line.format(material=NATIVE_NAMES.get(material, material))


def not_covered(student: str) -> str:
    return _NOT_COVERED.get(student, _NOT_COVERED["en"])


def nearby(student: str, topics: list[str]) -> str:
    return _NEARBY.get(student, _NEARBY["en"]).format(topics="; ".join(topics))
