export { MqttTransport, mqttTransportFactory, MQTT_CAPABILITIES } from './mqtt.transport';
export { MQTT_KEY_PROPERTY } from './mqtt-codec';
export type { MqttTransportOptions } from './mqtt.options';
