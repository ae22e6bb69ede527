"""Words that make a source text sensitive under a profile, per source language: a translation of such
a text waits for a person, whatever its score (the gate's `sensitive` check).

Matched case-insensitively as parts of the text (`diagnos` finds diagnosis and diagnosed; 암 finds 폐암),
so a medical text errs towards a person's eyes. The medical list covers dosing, warnings, diagnoses and
procedures in the languages tolk's catalogs use most; `[profiles.NAME] sensitive_terms` adds more, for
any language (`{ ko = ["..."] }`) or for all (`["..."]`).
"""

from __future__ import annotations

MEDICAL: dict[str, tuple[str, ...]] = {
    "en": ("dose", "dosage", "overdose", "side effect", "contraindicat", "prescription", "pregnan", "allerg",
           "consult a doctor", "consult your doctor", "mg/kg", "tablet", "capsule", "times a day",
           "twice a day", "diagnos", "medication", "medicine", "surgery", "surgical", "cancer", "tumor",
           "tumour", "chest pain", "emergency", "symptom", "stop taking"),
    "ko": ("복용", "용량", "투여", "과다복용", "부작용", "금기", "처방", "임신", "알레르기", "진단", "약물",
           "수술", "암", "흉통", "가슴 통증", "하루 두 번", "하루에 두 번", "1일 2회", "알씩", "응급", "증상",
           "의사와 상담"),
    "ja": ("服用", "用量", "投与", "過剰摂取", "副作用", "禁忌", "処方", "妊娠", "アレルギー", "診断", "薬",
           "手術", "がん", "癌", "胸痛", "胸の痛み", "1日2回", "錠", "救急", "症状", "医師に相談"),
    "zh": ("服用", "剂量", "劑量", "用药", "用藥", "过量", "過量", "副作用", "禁忌", "处方", "處方", "怀孕",
           "懷孕", "妊娠", "过敏", "過敏", "诊断", "診斷", "药物", "藥物", "手术", "手術", "癌", "胸痛",
           "每日两次", "每日兩次", "急救", "症状", "症狀", "咨询医生", "諮詢醫生"),
    "es": ("dosis", "sobredosis", "efecto secundario", "efectos secundarios", "contraindica", "receta médica",
           "embaraz", "alergi", "diagnóstic", "medicamento", "medicación", "cirugía", "quirúrg", "cáncer",
           "tumor", "dolor en el pecho", "dolor torácico", "comprimido", "pastilla", "cápsula",
           "veces al día", "urgencia", "síntoma", "consulte a su médico"),
    "pt": ("dose", "dosagem", "overdose", "efeito colateral", "efeitos colaterais", "contraindica",
           "receita médica", "grávida", "gravidez", "alergi", "diagnóstic", "medicamento", "medicação",
           "cirurgia", "câncer", "cancro", "dor no peito", "comprimido", "cápsula", "vezes ao dia",
           "emergência", "sintoma", "consulte seu médico"),
    "fr": ("dose", "posologie", "surdose", "effet secondaire", "effets secondaires", "contre-indiqu",
           "ordonnance", "enceinte", "grossesse", "allergi", "diagnostic", "médicament", "chirurgi",
           "cancer", "douleur thoracique", "comprimé", "gélule", "fois par jour", "urgence", "symptôme",
           "consultez un médecin"),
    "de": ("dosis", "dosierung", "überdosis", "nebenwirkung", "gegenanzeige", "kontraindik", "rezept",
           "schwanger", "allergi", "diagnose", "medikament", "arznei", "operation", "chirurg", "krebs",
           "brustschmerz", "tablette", "kapsel", "mal täglich", "notfall", "symptom",
           "fragen sie ihren arzt"),
    "it": ("dose", "dosaggio", "sovradosaggio", "effetto collaterale", "effetti collaterali", "controindica",
           "ricetta", "gravidanza", "incinta", "allergi", "diagnos", "farmaco", "medicinale", "chirurg",
           "intervento", "cancro", "tumore", "dolore al petto", "compressa", "capsula", "volte al giorno",
           "emergenza", "sintomo", "consultare il medico"),
    "ru": ("доз", "передозиров", "побочн", "противопоказ", "рецепт", "беремен", "аллерг", "диагноз",
           "лекарств", "препарат", "операци", "хирург", "рак", "опухол", "боль в груди", "таблетк",
           "капсул", "раза в день", "неотложн", "симптом", "проконсультируйтесь с врачом"),
    "th": ("ขนาดยา", "ใช้ยาเกินขนาด", "ผลข้างเคียง", "ข้อห้ามใช้", "ใบสั่งยา", "ตั้งครรภ์", "แพ้", "วินิจฉัย",
           "ยา", "ผ่าตัด", "มะเร็ง", "เจ็บหน้าอก", "เม็ด", "วันละ", "ฉุกเฉิน", "อาการ", "ปรึกษาแพทย์"),
    "vi": ("liều", "quá liều", "tác dụng phụ", "chống chỉ định", "đơn thuốc", "mang thai", "dị ứng",
           "chẩn đoán", "thuốc", "phẫu thuật", "ung thư", "đau ngực", "viên", "lần mỗi ngày", "cấp cứu",
           "triệu chứng", "hỏi ý kiến bác sĩ"),
    "id": ("dosis", "overdosis", "efek samping", "kontraindikasi", "resep", "hamil", "alergi", "diagnosis",
           "obat", "operasi", "kanker", "nyeri dada", "tablet", "kapsul", "kali sehari", "darurat", "gejala",
           "konsultasikan dengan dokter"),
    "ms": ("dos", "terlebih dos", "kesan sampingan", "kontraindikasi", "preskripsi", "hamil", "alahan",
           "diagnosis", "ubat", "pembedahan", "kanser", "sakit dada", "tablet", "kapsul", "kali sehari",
           "kecemasan", "gejala", "rujuk doktor"),
    "ar": ("جرعة", "جرعة زائدة", "آثار جانبية", "موانع", "وصفة طبية", "حامل", "حمل", "حساسية", "تشخيص",
           "دواء", "أدوية", "جراحة", "عملية جراحية", "سرطان", "ألم في الصدر", "قرص", "كبسولة", "مرتين يوميا",
           "طوارئ", "أعراض", "استشر الطبيب"),
    "hi": ("खुराक", "ओवरडोज़", "दुष्प्रभाव", "प्रिस्क्रिप्शन", "गर्भवती", "गर्भावस्था", "एलर्जी", "निदान",
           "दवा", "सर्जरी", "ऑपरेशन", "कैंसर", "सीने में दर्द", "गोली", "दिन में दो बार", "आपातकाल", "लक्षण",
           "डॉक्टर से सलाह"),
    "tr": ("doz", "aşırı doz", "yan etki", "kontrendik", "reçete", "hamile", "gebelik", "alerji", "tanı",
           "teşhis", "ilaç", "ameliyat", "cerrahi", "kanser", "göğüs ağrısı", "tablet", "kapsül",
           "günde iki", "acil", "belirti", "doktorunuza danışın"),
    "nl": ("dosis", "dosering", "overdosis", "bijwerking", "contra-indicatie", "recept", "zwanger", "allergi",
           "diagnose", "medicijn", "geneesmiddel", "operatie", "chirurg", "kanker", "pijn op de borst",
           "tablet", "capsule", "keer per dag", "spoed", "symptoom", "raadpleeg uw arts"),
    "pl": ("dawk", "przedawkowan", "skutki uboczne", "działania niepożądane", "przeciwwskaza", "recept",
           "ciąż", "alergi", "diagnoz", "lek", "operacj", "chirurg", "nowotw", "rak", "ból w klatce",
           "tabletk", "kapsułk", "razy dziennie", "nagły", "objaw", "skonsultuj się z lekarzem"),
}  # fmt: skip


def for_language(terms: dict[str, tuple[str, ...]], lang: str) -> tuple[str, ...]:
    """The terms of `lang` (its base language: zh-TW → zh) and those for every language ("*")."""
    return terms.get(lang.split("-")[0], ()) + terms.get("*", ())
