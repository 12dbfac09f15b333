from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("parties", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="licence_status",
            field=models.CharField(
                blank=True,
                choices=[
                    ("valid", "licensed"),
                    ("suspended", "licence suspended"),
                    ("revoked", "licence revoked"),
                    ("none", "no licence"),
                ],
                db_default="",
                default="",
                max_length=10,
                verbose_name="licence status",
            ),
        ),
    ]
