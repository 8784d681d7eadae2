# RabbitMQ 4.2 with the delayed-message plugin, the "plugin" delay backend of nudge.
FROM rabbitmq:4.2-management
ARG PLUGIN_VERSION=v4.2.0
ADD https://github.com/rabbitmq/rabbitmq-delayed-message-exchange/releases/download/${PLUGIN_VERSION}/rabbitmq_delayed_message_exchange-${PLUGIN_VERSION}.ez /opt/rabbitmq/plugins/
RUN chmod 644 /opt/rabbitmq/plugins/rabbitmq_delayed_message_exchange-*.ez \
 && rabbitmq-plugins enable --offline rabbitmq_delayed_message_exchange
