from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("staff", "0004_punch_minutes")]

    operations = [
        migrations.AlterField(
            model_name="punch",
            name="minute",
            field=models.DateTimeField(editable=False, verbose_name="minute"),
        ),
        migrations.AddConstraint(
            model_name="punch",
            constraint=models.UniqueConstraint(
                fields=("person", "minute"), name="punch_once_a_minute"
            ),
        ),
    ]
