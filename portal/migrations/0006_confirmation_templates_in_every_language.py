"""The email confirming a submitted application in the portal's six other languages (0004 made
the English and Spanish ones): Portuguese, Simplified Chinese, Haitian Creole, Vietnamese,
Russian and Khmer, keyed `portal-application-submitted-<language code>` as
portal.services.confirmations looks them up."""

from importlib import import_module

from django.db import migrations

_first = import_module("portal.migrations.0004_applications_confirmation_templates")

TEMPLATES = {
    "portal-application-submitted-pt": {
        "name": "Application submitted (portal confirmation, Portuguese)",
        "subject": "Recebemos o seu pedido {{ case.number }}",
        "body": (
            "Prezado(a) {{ recipient.name }},\n\n"
            "Obrigado. Recebemos o seu pedido de ajuda com o aluguel. O número do seu pedido é "
            "{{ case.number }}. Informe esse número se entrar em contato conosco.\n\n"
            "{% if case.application_code %}O código do seu pedido é {{ case.application_code }}. Se o seu "
            "proprietário ou inquilino ainda não fez o pedido, entregue este código a ele para que possamos "
            "vincular os pedidos.\n\n{% endif %}"
            "# O que acontece agora\n"
            "* Vamos analisar o seu pedido e avisaremos se precisarmos de mais alguma coisa.\n"
            "* Ao entrar na sua conta, você pode acompanhar o pedido e enviar os documentos que pedirmos.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-zh-hans": {
        "name": "Application submitted (portal confirmation, Simplified Chinese)",
        "subject": "我们已收到您的申请 {{ case.number }}",
        "body": (
            "{{ recipient.name }}，您好：\n\n"
            "谢谢。我们已收到您的租金援助申请。您的申请编号是 {{ case.number }}。"
            "联系我们时请提供此编号。\n\n"
            "{% if case.application_code %}您的申请代码是 {{ case.application_code }}。如果您的房东或租户"
            "还没有申请，请把这个代码交给对方，以便我们把两份申请关联起来。\n\n{% endif %}"
            "# 接下来会怎样\n"
            "* 我们会审核您的申请，如需其他材料会通知您。\n"
            "* 登录后，您可以查看申请进度，并上传我们要求的文件。\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-ht": {
        "name": "Application submitted (portal confirmation, Haitian Creole)",
        "subject": "Nou resevwa aplikasyon ou {{ case.number }}",
        "body": (
            "Bonjou {{ recipient.name }},\n\n"
            "Mèsi. Nou resevwa aplikasyon ou pou èd ak lwaye. Nimewo aplikasyon ou se {{ case.number }}. "
            "Tanpri bay nimewo sa a si ou kontakte nou.\n\n"
            "{% if case.application_code %}Kòd aplikasyon ou se {{ case.application_code }}. Si pwopriyetè "
            "ou oswa lokatè ou poko aplike, ba yo kòd sa a pou nou ka konekte aplikasyon yo.\n\n{% endif %}"
            "# Sa k ap pase kounye a\n"
            "* N ap tcheke aplikasyon ou epi n ap di ou si nou bezwen lòt bagay.\n"
            "* Lè ou konekte, ou ka swiv aplikasyon ou epi voye dokiman nou mande yo.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-vi": {
        "name": "Application submitted (portal confirmation, Vietnamese)",
        "subject": "Chúng tôi đã nhận được đơn {{ case.number }} của quý vị",
        "body": (
            "Kính gửi {{ recipient.name }},\n\n"
            "Xin cảm ơn. Chúng tôi đã nhận được đơn xin hỗ trợ tiền thuê nhà của quý vị. Số đơn của quý vị "
            "là {{ case.number }}. Vui lòng cung cấp số này khi liên hệ với chúng tôi.\n\n"
            "{% if case.application_code %}Mã đơn của quý vị là {{ case.application_code }}. Nếu chủ nhà hoặc "
            "người thuê nhà của quý vị chưa nộp đơn, hãy đưa mã này cho họ để chúng tôi có thể liên kết hai "
            "đơn.\n\n{% endif %}"
            "# Các bước tiếp theo\n"
            "* Chúng tôi sẽ xem xét đơn và báo cho quý vị nếu cần thêm thông tin.\n"
            "* Khi đăng nhập, quý vị có thể theo dõi đơn và tải lên các tài liệu chúng tôi yêu cầu.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-ru": {
        "name": "Application submitted (portal confirmation, Russian)",
        "subject": "Мы получили ваше заявление {{ case.number }}",
        "body": (
            "Здравствуйте, {{ recipient.name }}!\n\n"
            "Спасибо. Мы получили ваше заявление на помощь с арендной платой. Номер вашего заявления: "
            "{{ case.number }}. Пожалуйста, указывайте его, когда обращаетесь к нам.\n\n"
            "{% if case.application_code %}Код вашего заявления: {{ case.application_code }}. Если ваш "
            "арендодатель или арендатор ещё не подал заявление, передайте ему этот код, чтобы мы могли "
            "связать ваши заявления.\n\n{% endif %}"
            "# Что будет дальше\n"
            "* Мы рассмотрим ваше заявление и сообщим, если нам понадобится что-то ещё.\n"
            "* Войдя в систему, вы сможете следить за заявлением и загружать документы, которые мы попросим.\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
    "portal-application-submitted-km": {
        "name": "Application submitted (portal confirmation, Khmer)",
        "subject": "យើងបានទទួលពាក្យស្នើសុំរបស់អ្នក {{ case.number }}",
        "body": (
            "ជូនចំពោះ {{ recipient.name }}\n\n"
            "សូមអរគុណ។ យើងបានទទួលពាក្យស្នើសុំជំនួយថ្លៃជួលរបស់អ្នកហើយ។ លេខពាក្យស្នើសុំរបស់អ្នកគឺ "
            "{{ case.number }}។ សូមប្រាប់លេខនេះ នៅពេលអ្នកទាក់ទងមកយើង។\n\n"
            "{% if case.application_code %}លេខកូដពាក្យស្នើសុំរបស់អ្នកគឺ {{ case.application_code }}។ "
            "ប្រសិនបើម្ចាស់ផ្ទះ ឬអ្នកជួលរបស់អ្នកមិនទាន់ដាក់ពាក្យស្នើសុំទេ សូមផ្ដល់លេខកូដនេះឱ្យគាត់ "
            "ដើម្បីឱ្យយើងអាចភ្ជាប់ពាក្យស្នើសុំទាំងពីរ។\n\n{% endif %}"
            "# អ្វីដែលនឹងកើតឡើងបន្ទាប់\n"
            "* យើងនឹងពិនិត្យពាក្យស្នើសុំរបស់អ្នក ហើយប្រាប់អ្នក ប្រសិនបើយើងត្រូវការអ្វីផ្សេងទៀត។\n"
            "* នៅពេលអ្នកចូលគណនី អ្នកអាចតាមដានពាក្យស្នើសុំ និងផ្ញើឯកសារដែលយើងស្នើសុំបាន។\n\n"
            "{{ organisation.name }}\n{{ organisation.phone }}\n{{ organisation.email }}"
        ),
    },
}


def create(apps, schema_editor):
    _first.create_templates(apps, TEMPLATES)


def remove(apps, schema_editor):
    _first.remove_templates(apps, TEMPLATES)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_landlords_profiles_and_applications")]

    operations = [migrations.RunPython(create, remove)]
