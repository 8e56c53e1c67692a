package io.sink.transport.internal.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ReadGateTest {
    @Test
    void stopsReadingAtTheBoundAndReadsAgainAtHalfOfIt() throws Exception {
        ReadGate gate = new ReadGate(4);
        for (int i = 0; i < 3; i++) {
            gate.publishReceived();
        }
        assertThat(gate.shouldRead()).isTrue();
        gate.publishReceived();
        assertThat(gate.shouldRead()).isFalse();
        assertThat(gate.pauseReason()).isEqualTo("4 PUBLISHes wait for the application's answer");
        gate.answered();
        assertThat(gate.shouldRead()).as("3 unanswered: not yet half").isFalse();
        gate.answered();
        assertThat(gate.shouldRead()).as("2 unanswered").isTrue();
        assertThat(gate.pauseReason()).isEmpty();
    }

    @Test
    void stopsReadingWhileTheOutboundBufferIsFull() throws Exception {
        ReadGate gate = new ReadGate(1024);
        gate.writabilityChanged(false);
        assertThat(gate.shouldRead()).isFalse();
        assertThat(gate.pauseReason()).contains("does not read");
        gate.writabilityChanged(true);
        assertThat(gate.shouldRead()).isTrue();
    }

    @Test
    void thePublishBeyond4095UnansweredIsAViolation() throws Exception {
        ReadGate gate = new ReadGate(4096);
        for (int i = 0; i < 4095; i++) {
            gate.publishReceived();
        }
        assertThat(gate.shouldRead()).isTrue();
        assertThatThrownBy(gate::publishReceived).isInstanceOf(ProtocolViolation.class)
                .hasMessageContaining("more than 4095 PUBLISHes unanswered");
        gate.answered();
        gate.publishReceived();
        assertThat(gate.unanswered()).isEqualTo(4095);
    }

    @Test
    void answersNeverGoBelowZero() {
        ReadGate gate = new ReadGate(2);
        gate.answered();
        assertThat(gate.unanswered()).isZero();
        assertThat(gate.shouldRead()).isTrue();
    }

    @Test
    void refusesABoundOutsideTheMessageIds() {
        assertThatThrownBy(() -> new ReadGate(0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReadGate(4097)).isInstanceOf(IllegalArgumentException.class);
    }
}
