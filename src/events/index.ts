export { InProcessBus, stampEvent, type EventBus, type EventHandler, type Subscription } from './bus.js';
